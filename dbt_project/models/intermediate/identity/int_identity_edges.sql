-- The identity graph as integer node pairs, without excluded identifiers. Record nodes are
-- 0 .. records - 1; identifier nodes follow them: one per linking value (and name group), then
-- one per link between two records (an override or a probabilistic match).
with

records as (
    select * from {{ ref('int_records_unioned') }}
),

linking_identifiers as (
    select * from {{ ref('int_identifiers_linking') }}
),

record_links as (
    select * from {{ ref('int_identity_record_links') }}
),

record_identifiers as (
    select
        record_key,
        identifier_type,
        identifier_value,
        name_group
    from linking_identifiers
    union all
    select
        left_record_key,
        link_type,
        link_label,
        0
    from record_links
    union all
    select
        right_record_key,
        link_type,
        link_label,
        0
    from record_links
),

identifier_nodes as (
    -- One node per value, or per person using it when several do (name_group).
    select
        identifier_type,
        identifier_value,
        name_group,
        (select count(*) from records)
        + row_number() over (order by identifier_type, identifier_value, name_group) - 1
            as identifier_node
    from (select distinct
        identifier_type,
        identifier_value,
        name_group
    from record_identifiers) as distinct_identifiers
),

edges as (
    select
        records.record_node,
        identifier_nodes.identifier_node,
        identifier_nodes.identifier_type,
        identifier_nodes.identifier_value
    from record_identifiers
    inner join records on record_identifiers.record_key = records.record_key
    inner join identifier_nodes
        on
            record_identifiers.identifier_type = identifier_nodes.identifier_type
            and record_identifiers.identifier_value = identifier_nodes.identifier_value
            and record_identifiers.name_group = identifier_nodes.name_group
)

select * from edges
