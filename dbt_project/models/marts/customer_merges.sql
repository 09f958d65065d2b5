-- Appended each run: customer ids that are gone because their records joined another customer,
-- and the customer their anchor record belongs to now. Found by comparing every id ever given
-- with today's, so a run interrupted after ids were assigned still logs its merges on the rerun.
-- Kept across full refreshes.
{{ config(materialized='incremental', full_refresh=false) }}

with

assignment_history as (
    select * from {{ ref('int_customer_id_history') }}
),

clustered as (
    select * from {{ ref('int_records_clustered') }}
),

current_ids as (
    select distinct customer_id from clustered
),

retired_anchors as (
    -- An id that no record carries now, with its anchor record (whose key hash it is).
    select distinct
        assignment_history.customer_id,
        assignment_history.record_key
    from assignment_history
    left join current_ids on assignment_history.customer_id = current_ids.customer_id
    where
        current_ids.customer_id is null
        and assignment_history.customer_id
        = 'cus_' || substr(md5(assignment_history.record_key), 1, 16)
),

merged_pairs as (
    select
        retired_anchors.customer_id as merged_customer_id,
        clustered.customer_id as surviving_customer_id
    from retired_anchors
    inner join clustered on retired_anchors.record_key = clustered.record_key
    {% if is_incremental() %}
        where retired_anchors.customer_id not in (select merged_customer_id from {{ this }})
    {% endif %}
)

select
    merged_customer_id,
    surviving_customer_id,
    cast('{{ run_started_at.isoformat() }}' as timestamptz) as merged_at
from merged_pairs
