-- One row per web event (every enabled source's, kind `web_events`) with its session
-- (int_web_event_sessions, numbered incrementally) and its customer (tonight's identity).
with

events as (
    {{ union_source_models('web_events') }}
),

sessions as (
    select * from {{ ref('int_web_event_sessions') }}
),

clustered as (
    select * from {{ ref('int_records_clustered') }}
),

sessionized as (
    select
        events.event_id,
        clustered.customer_id,
        sessions.session_id,
        events.anonymous_id,
        events.user_id,
        events.event_type,
        events.event_name,
        events.occurred_at,
        events.received_at,
        events.page_path,
        events.page_url,
        events.page_title,
        events.page_referrer,
        events.utm_source,
        events.utm_medium,
        events.utm_campaign,
        events.order_id,
        events.order_revenue,
        events.currency,
        events.properties
    from events
    left join sessions
        on events.source = sessions.source and events.event_id = sessions.event_id
    left join clustered
        on events.source = clustered.source and events.anonymous_id = clustered.record_id
)

select * from sessionized
