-- Incremental, device by device: rebuilds the devices int_events_sessionized replaced since
-- this table's newest `_rebuilt_at` (a device with no event left drops its rows, through
-- its marker row, which the post-hook deletes).
{{ config(materialized='incremental', incremental_strategy='delete+insert',
          unique_key=['source', 'device_key'],
          post_hook="delete from {{ this }} where event_id is null") }}

with

events as (
    select * from ({{ rebuilt_since_last_build(ref('int_events_sessionized')) }}) as rebuilt
    {% if not is_incremental() %}
        where event_id is not null
    {% endif %}
)

select
    event_id,
    customer_id,
    session_id,
    source,
    device_key,
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
    properties,
    _rebuilt_at
from events
