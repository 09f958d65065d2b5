-- Incremental, device by device: rebuilds every session of the devices int_events_sessionized
-- replaced since this table's newest `_rebuilt_at`. A device left with no session (no event,
-- or none at a plausible time) gives a marker row that drops its sessions; the post-hook
-- deletes it.
{{ config(materialized='incremental', incremental_strategy='delete+insert',
          unique_key=['source', 'device_key'],
          post_hook="delete from {{ this }} where session_id is null") }}

with

rebuilt as (
    {{ rebuilt_since_last_build(ref('int_events_sessionized')) }}
),

events as (
    -- An event with no plausible time is in no session.
    select * from rebuilt
    where session_id is not null
),

first_events as (
    select
        session_id,
        page_path as landing_page_path,
        page_referrer as referrer,
        utm_source,
        utm_medium,
        utm_campaign,
        row_number() over (partition by session_id order by occurred_at, event_id) as event_rank
    from events
),

aggregated as (
    select
        session_id,
        min(source) as source,
        min(device_key) as device_key,
        min(anonymous_id) as anonymous_id,
        min(customer_id) as customer_id,
        min(occurred_at) as started_at,
        max(occurred_at) as ended_at,
        count(*) as events_count,
        count(*) filter (where event_type = 'page') as pages_count,
        count(distinct order_id) as orders_count,
        coalesce(sum(order_revenue), 0) as order_revenue,
        max(_rebuilt_at) as _rebuilt_at
    from events
    group by session_id
),

sessions as (
    select
        aggregated.session_id,
        aggregated.source,
        aggregated.device_key,
        aggregated.anonymous_id,
        aggregated.customer_id,
        aggregated.started_at,
        {{ to_local_time('aggregated.started_at') }} as started_at_local,
        cast({{ to_local_time('aggregated.started_at') }} as date) as started_date_local,
        aggregated.ended_at,
        {{ dbt.datediff("aggregated.started_at", "aggregated.ended_at", "second") }}
            as duration_seconds,  -- noqa: LT05
        aggregated.events_count,
        aggregated.pages_count,
        aggregated.orders_count,
        aggregated.order_revenue,
        first_events.landing_page_path,
        first_events.referrer,
        first_events.utm_source,
        first_events.utm_medium,
        first_events.utm_campaign,
        aggregated._rebuilt_at
    from aggregated
    inner join first_events
        on aggregated.session_id = first_events.session_id and first_events.event_rank = 1
),

-- The rebuilt devices that have no session now.
markers as (
    select
        source,
        device_key,
        max(_rebuilt_at) as _rebuilt_at
    from rebuilt
    group by source, device_key
    having count(session_id) = 0
)

select * from sessions
union all
select
    null as session_id,
    source,
    device_key,
    null as anonymous_id,
    null as customer_id,
    null as started_at,
    null as started_at_local,
    null as started_date_local,
    null as ended_at,
    null as duration_seconds,
    null as events_count,
    null as pages_count,
    null as orders_count,
    null as order_revenue,
    null as landing_page_path,
    null as referrer,
    null as utm_source,
    null as utm_medium,
    null as utm_campaign,
    _rebuilt_at
from markers
