with

events as (
    -- An event with no plausible time is in no session.
    select * from {{ ref('int_events_sessionized') }}
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
        min(anonymous_id) as anonymous_id,
        min(customer_id) as customer_id,
        min(occurred_at) as started_at,
        max(occurred_at) as ended_at,
        count(*) as events_count,
        count(*) filter (where event_type = 'page') as pages_count,
        count(distinct order_id) as orders_count,
        coalesce(sum(order_revenue), 0) as order_revenue
    from events
    group by session_id
)

select
    aggregated.session_id,
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
    first_events.utm_campaign
from aggregated
inner join first_events
    on aggregated.session_id = first_events.session_id and first_events.event_rank = 1
