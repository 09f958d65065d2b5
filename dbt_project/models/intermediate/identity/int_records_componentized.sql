-- Every record with its connected component: the records it is one person with.
with

records as (
    select * from {{ ref('int_records_unioned') }}
),

components as (
    select * from {{ ref('int_identity_components') }}
),

componentized as (
    select
        records.record_key,
        records.source,
        records.record_id,
        records.first_seen_at,
        records.last_seen_at,
        records.first_loaded_at,
        components.component_id
    from records
    inner join components on records.record_node = components.record_node
)

select * from componentized
