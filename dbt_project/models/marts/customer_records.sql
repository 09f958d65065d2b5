with

clustered as (
    select * from {{ ref('int_records_clustered') }}
)

select
    source,
    record_id,
    customer_id,
    first_seen_at,
    last_seen_at
from clustered
