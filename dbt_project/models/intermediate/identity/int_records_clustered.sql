-- Every record with its customer: its latest assignment in `int_customer_id_history`, which
-- this run has just brought up to date.
with

records as (
    select * from {{ ref('int_records_componentized') }}
),

history as (
    select * from {{ ref('int_customer_id_history') }}
),

latest_assignments as (
    select * from {{ latest_assignments('history') }} as latest
),

clustered as (
    select
        records.record_key,
        records.source,
        records.record_id,
        latest_assignments.customer_id,
        records.first_seen_at,
        records.last_seen_at,
        records.first_loaded_at
    from records
    inner join latest_assignments on records.record_key = latest_assignments.record_key
)

select * from clustered
