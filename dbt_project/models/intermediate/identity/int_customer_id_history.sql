-- Which customer each record belonged to, and since which run: a row is added whenever a
-- record is new or moves to another customer. Kept across full refreshes: it is the memory
-- the merge log is built from.
{{ config(materialized='incremental', full_refresh=false) }}

with

clustered as (
    select * from {{ ref('int_records_clustered') }}
),

{% if is_incremental() %}
    history as (
        select * from {{ this }}
    ),

    ranked_history as (
        select
            record_key,
            customer_id,
            row_number() over (partition by record_key order by assigned_at desc) as recency_rank
        from history
    ),

    latest as (
        select
            record_key,
            customer_id
        from ranked_history
        where recency_rank = 1
    ),

    changed as (
        select
            clustered.record_key,
            clustered.customer_id
        from clustered
        left join latest on clustered.record_key = latest.record_key
        where latest.customer_id is null or latest.customer_id <> clustered.customer_id
    )
{% else %}
    changed as (
        select
            record_key,
            customer_id
        from clustered
    )
{% endif %}

select
    record_key,
    customer_id,
    cast('{{ run_started_at.isoformat() }}' as timestamptz) as assigned_at
from changed
