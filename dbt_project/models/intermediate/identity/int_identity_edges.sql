-- The record–identifier graph as integer node pairs, without excluded identifiers. Record nodes
-- are 0 .. records - 1; identifier nodes follow them.
with

records as (
    select * from {{ ref('int_records_unioned') }}
),

linking_identifiers as (
    select * from {{ ref('int_identifiers_linking') }}
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
    from linking_identifiers) as distinct_identifiers
),

edges as (
    select
        records.record_node,
        identifier_nodes.identifier_node,
        identifier_nodes.identifier_type,
        identifier_nodes.identifier_value
    from linking_identifiers
    inner join records on linking_identifiers.record_key = records.record_key
    inner join identifier_nodes
        on
            linking_identifiers.identifier_type = identifier_nodes.identifier_type
            and linking_identifiers.identifier_value = identifier_nodes.identifier_value
            and linking_identifiers.name_group = identifier_nodes.name_group
)

select * from edges
