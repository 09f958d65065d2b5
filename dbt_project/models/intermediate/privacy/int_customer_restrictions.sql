-- Customers under a processing restriction: one of their records was named by a
-- `cdp privacy restrict` request. They keep their data and lose every consent, segment,
-- audience and prediction.
with

restricted as (
    {{ restricted_records() }}
),

clustered as (
    select * from {{ ref('int_records_clustered') }}
)

select
    clustered.customer_id,
    min(restricted.restricted_at) as restricted_at,
    min(restricted.request_id) as request_id
from restricted
inner join clustered on restricted.record_key = clustered.record_key
group by clustered.customer_id
