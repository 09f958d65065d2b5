-- Which customer each record belongs to, and since which run: a row is added whenever a record
-- is new or moves to another customer. It is also the memory ids are given from, so it is kept
-- across full refreshes.
--
-- A customer's id is `cus_` + a hash of its anchor record. Each run, a component keeps the id
-- of the anchor it holds whose id was given first (so when two customers merge the older id
-- survives, and when one splits the part holding the anchor keeps it); a component holding no
-- anchor takes its oldest record (by the data's own timestamps, then source and id) as anchor.
-- Ids therefore depend on the data and the runs before, never on the order loads landed in, and
-- a rerun on the same data gives the same ids.
{{ config(materialized='incremental', full_refresh=false) }}

with

records as (
    select * from {{ ref('int_records_componentized') }}
),

{% if is_incremental() %}
    history as (
        select * from {{ this }}
    ),
{% else %}
    history as (
        select
            cast(null as varchar) as record_key,
            cast(null as varchar) as customer_id,
            cast(null as timestamptz) as assigned_at
        where false
    ),
{% endif %}

previous as (
    select * from {{ latest_assignments('history') }} as latest
),

id_ages as (
    select
        customer_id,
        min(assigned_at) as first_assigned_at
    from history
    group by customer_id
),

anchors_kept as (
    -- Records that still carry the id they are the anchor of.
    select
        records.component_id,
        previous.customer_id,
        id_ages.first_assigned_at,
        records.first_seen_at
    from records
    inner join previous on records.record_key = previous.record_key
    inner join id_ages on previous.customer_id = id_ages.customer_id
    where previous.customer_id = 'cus_' || substr(md5(records.record_key), 1, 16)
),

surviving_ids as (
    select
        component_id,
        customer_id
    from (
        select
            *,
            row_number() over (
                partition by component_id
                order by first_assigned_at asc, first_seen_at asc nulls last, customer_id asc
            ) as age_rank
        from anchors_kept
    ) as ranked_anchors
    where age_rank = 1
),

new_ids as (
    select
        component_id,
        'cus_' || substr(md5(record_key), 1, 16) as customer_id
    from (
        select
            *,
            row_number() over (
                partition by component_id
                order by first_seen_at asc nulls last, source asc, record_id asc
            ) as age_rank
        from records
    ) as ranked_records
    where age_rank = 1
),

assigned as (
    select
        records.record_key,
        coalesce(surviving_ids.customer_id, new_ids.customer_id) as customer_id
    from records
    left join surviving_ids on records.component_id = surviving_ids.component_id
    left join new_ids on records.component_id = new_ids.component_id
),

changed as (
    select
        assigned.record_key,
        assigned.customer_id
    from assigned
    left join previous on assigned.record_key = previous.record_key
    where previous.customer_id is null or previous.customer_id <> assigned.customer_id
)

select
    record_key,
    customer_id,
    cast('{{ run_started_at.isoformat() }}' as timestamptz) as assigned_at
from changed
