-- Appended each run: customers whose id disappeared because their records joined another
-- customer (the older id survives). Kept across full refreshes.
{{ config(materialized='incremental', full_refresh=false) }}

with

assignment_history as (
    select * from {{ ref('int_customer_id_history') }}
),

clustered as (
    select * from {{ ref('int_records_clustered') }}
),

before_this_run as (
    select
        record_key,
        customer_id,
        row_number() over (partition by record_key order by assigned_at desc) as recency_rank
    from assignment_history
    where assigned_at < cast('{{ run_started_at.isoformat() }}' as timestamptz)
),

assigned_before as (
    select
        record_key,
        customer_id
    from before_this_run
    where recency_rank = 1
),

current_ids as (
    select distinct customer_id from clustered
),

merged_pairs as (
    select distinct
        assigned_before.customer_id as merged_customer_id,
        clustered.customer_id as surviving_customer_id
    from assigned_before
    inner join clustered on assigned_before.record_key = clustered.record_key
    left join current_ids on assigned_before.customer_id = current_ids.customer_id
    where current_ids.customer_id is null
)

select
    merged_customer_id,
    surviving_customer_id,
    cast('{{ run_started_at.isoformat() }}' as timestamptz) as merged_at
from merged_pairs
