-- Every record with its customer. A customer's id comes from its anchor: the record loaded
-- first (then seen first). New records load later, so they never change an anchor: a customer
-- keeps its id as records join it, and when two customers merge the older id survives. The
-- same input always gives the same ids.
with

records as (
    select * from {{ ref('int_records_unioned') }}
),

components as (
    select * from {{ ref('int_identity_components') }}
),

records_with_components as (
    select
        records.*,
        components.component_id
    from records
    inner join components on records.record_node = components.record_node
),

ranked as (
    select
        *,
        row_number() over (
            partition by component_id
            order by first_loaded_at, first_seen_at, source, record_id
        ) as age_rank
    from records_with_components
),

anchors as (
    select
        component_id,
        'cus_' || substr(md5(record_key), 1, 16) as customer_id
    from ranked
    where age_rank = 1
),

clustered as (
    select
        records_with_components.record_key,
        records_with_components.source,
        records_with_components.record_id,
        anchors.customer_id,
        records_with_components.first_seen_at,
        records_with_components.last_seen_at,
        records_with_components.first_loaded_at
    from records_with_components
    inner join anchors on records_with_components.component_id = anchors.component_id
)

select * from clustered
