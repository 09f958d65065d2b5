with

events as (
    select * from {{ ref('int_events_sessionized') }}
)

select
    event_id,
    customer_id,
    session_id,
    anonymous_id,
    user_id,
    event_type,
    event_name,
    occurred_at,
    {{ to_local_time('occurred_at') }} as occurred_at_local,
    cast({{ to_local_time('occurred_at') }} as date) as occurred_date_local,
    received_at,
    page_path,
    page_url,
    page_title,
    page_referrer,
    utm_source,
    utm_medium,
    utm_campaign,
    order_id,
    order_revenue,
    currency,
    properties
from events
