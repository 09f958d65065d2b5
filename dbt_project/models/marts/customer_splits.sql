-- Appended each run: customers that lost records to another customer while keeping their id —
-- an override that separates two records, a value newly excluded, a limit newly reached. The
-- part that keeps the oldest anchor keeps the id; the part split off carries the id of its own
-- oldest record (or of an older customer it rejoins). Found from the id history, so a run
-- interrupted after ids were assigned still logs its splits on the rerun. Kept across full
-- refreshes; merges are in customer_merges.
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

moves as (
    select
        record_key,
        customer_id as to_customer_id,
        assigned_at,
        lag(customer_id) over (partition by record_key order by assigned_at) as from_customer_id
    from assignment_history
),

new_moves as (
    select * from moves
    {% if is_incremental() %}
        where assigned_at > (select coalesce(max(split_at), '-infinity'::timestamptz) from {{ this }})
    {% endif %}
),

splits as (
    select
        new_moves.from_customer_id,
        new_moves.to_customer_id,
        new_moves.assigned_at,
        count(*) as records_moved
    from new_moves
    -- The customer the records left still exists: a split, not a merge.
    inner join current_ids on new_moves.from_customer_id = current_ids.customer_id
    where new_moves.from_customer_id <> new_moves.to_customer_id
    group by new_moves.from_customer_id, new_moves.to_customer_id, new_moves.assigned_at
)

select
    from_customer_id as split_customer_id,
    to_customer_id as new_customer_id,
    records_moved,
    assigned_at as split_at
from splits
