-- The record–identifier graph as integer node pairs, without excluded identifiers. Record nodes
-- are 0 .. records - 1; identifier nodes follow them.
with

records as (
    select * from {{ ref('int_records_unioned') }}
),

identifiers as (
    select * from {{ ref('int_identifiers_unioned') }}
),

excluded as (
    select * from {{ ref('int_identifiers_excluded') }}
),

linking_identifiers as (
    select
        identifiers.record_key,
        identifiers.identifier_type,
        identifiers.identifier_value
    from identifiers
    left join excluded
        on
            identifiers.identifier_type = excluded.identifier_type
            and identifiers.identifier_value = excluded.identifier_value
    where excluded.identifier_value is null
),

identifier_nodes as (
    select
        identifier_type,
        identifier_value,
        (select count(*) from records)
        + row_number() over (order by identifier_type, identifier_value) - 1 as identifier_node
    from (select distinct
        identifier_type,
        identifier_value
    from linking_identifiers) as distinct_identifiers
),

edges as (
    select
        records.record_node,
        identifier_nodes.identifier_node
    from linking_identifiers
    inner join records on linking_identifiers.record_key = records.record_key
    inner join identifier_nodes
        on
            linking_identifiers.identifier_type = identifier_nodes.identifier_type
            and linking_identifiers.identifier_value = identifier_nodes.identifier_value
)

select * from edges
