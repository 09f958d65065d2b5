-- Why records are together: one row per link the identity graph made between a record and an
-- identifier value (or another record: an override or a probabilistic match), with the
-- record's customer and how the link was made: the linking identifiers without the links a
-- cardinality limit or an override refused. Records that share a linked value (directly or
-- through a chain) are one customer; `cdp explain` reads this table, and marts.identity_graph
-- and marts.identity_suspicious_customers are built from it (one copy of the largest identity
-- table, not two).
with

linking as (
    select * from {{ ref('int_identifiers_linking') }}
),

refused as (
    select * from {{ ref('int_identity_links_refused') }}
),

name_groups as (
    select * from {{ ref('int_identifier_name_groups') }}
),

clustered as (
    select * from {{ ref('int_records_clustered') }}
),

record_links as (
    select * from {{ ref('int_identity_record_links') }}
),

record_link_ends as (
    -- Each link between two records, once from each end: the other record is the value.
    select
        left_record_key as record_key,
        right_record_key as other_record_key,
        link_type,
        link_label,
        link_rule
    from record_links
    union all
    select
        right_record_key,
        left_record_key,
        link_type,
        link_label,
        link_rule
    from record_links
),

links as (
    select
        clustered.customer_id,
        linking.source,
        linking.record_id,
        linking.identifier_type,
        linking.identifier_value,
        case
            when name_groups.people_count >= 2
                then
                    'shared value, same person''s name (one of '
                    || name_groups.people_count || ' people using it)'
            when linking.identifier_type in ('anonymous_id', 'crm_contact_id', 'lead_id')
                then 'the record''s own id'
            else 'same value'
        end as link_rule,
        linking.first_seen_at,
        linking.last_seen_at
    from linking
    inner join clustered on linking.record_key = clustered.record_key
    left join name_groups
        on
            linking.identifier_type = name_groups.identifier_type
            and linking.identifier_value = name_groups.identifier_value
            and linking.record_key = name_groups.record_key
    left join refused
        on
            linking.record_key = refused.record_key
            and linking.identifier_type = refused.identifier_type
            and linking.identifier_value = refused.identifier_value
    where refused.record_key is null
),

record_to_record_links as (
    select
        clustered.customer_id,
        clustered.source,
        clustered.record_id,
        record_link_ends.link_type as identifier_type,
        record_link_ends.other_record_key as identifier_value,
        record_link_ends.link_rule,
        clustered.first_seen_at,
        clustered.last_seen_at
    from record_link_ends
    inner join clustered on record_link_ends.record_key = clustered.record_key
    left join refused
        on
            record_link_ends.record_key = refused.record_key
            and record_link_ends.link_type = refused.identifier_type
            and record_link_ends.link_label = refused.identifier_value
    where refused.record_key is null
)

select * from links
union all
select * from record_to_record_links
