-- Links the rules refused, one row per record and identifier it carries but was not joined
-- through, with the reason: what cdp explain shows for why records are apart.
with

identifiers as (
    select * from {{ ref('int_identifiers_unioned') }}
),

excluded as (
    select * from {{ ref('int_identifiers_excluded') }}
),

name_groups as (
    select * from {{ ref('int_identifier_name_groups') }}
),

capped as (
    select * from {{ ref('int_identity_links_capped') }}
),

records as (
    select * from {{ ref('int_records_unioned') }}
),

edges as (
    select * from {{ ref('int_identity_edges') }}
),

refused_as_excluded as (
    select
        identifiers.record_key,
        identifiers.identifier_type,
        identifiers.identifier_value,
        'excluded' as refusal,
        excluded.reason
    from identifiers
    inner join excluded
        on
            identifiers.identifier_type = excluded.identifier_type
            and identifiers.identifier_value = excluded.identifier_value
),

refused_as_unnamed as (
    select
        name_groups.record_key,
        name_groups.identifier_type,
        name_groups.identifier_value,
        'shared by several people' as refusal,
        'used by ' || name_groups.people_count
        || ' people under different names; this record has no name, or names of two of'
        || ' them, to say whose it is' as reason
    from name_groups
    left join excluded
        on
            name_groups.identifier_type = excluded.identifier_type
            and name_groups.identifier_value = excluded.identifier_value
    where
        name_groups.people_count >= 2
        and name_groups.name_group is null
        and excluded.identifier_value is null
),

refused_over_limits as (
    select distinct
        records.record_key,
        edges.identifier_type,
        edges.identifier_value,
        case
            when capped.reason like 'override:%' then 'override'
            else 'over a cardinality limit'
        end as refusal,
        capped.reason
    from capped
    inner join records on capped.record_node = records.record_node
    inner join edges
        on
            capped.record_node = edges.record_node
            and capped.identifier_node = edges.identifier_node
)

select * from refused_as_excluded
union all
select * from refused_as_unnamed
union all
select * from refused_over_limits
