-- One row per web event (every enabled source's, kind `web_events`) with its session (a new one
-- after `session_timeout_minutes` without an event on the device) and its customer. An event
-- whose time is no plausible moment (occurred_at NULL: see stg_website__events) cannot be placed
-- among the device's others: it belongs to no session, and, sorted after them, it shifts no other
-- event's session.
with

events as (
    {{ union_source_models('web_events') }}
),

clustered as (
    select * from {{ ref('int_records_clustered') }}
),

with_gaps as (
    select
        *,
        case
            when
                lag(occurred_at) over (
                    partition by source, anonymous_id order by occurred_at asc nulls last, event_id asc
                ) is null then 1
            when occurred_at - lag(occurred_at) over (
                partition by source, anonymous_id order by occurred_at asc nulls last, event_id asc
            ) > interval '{{ var("session_timeout_minutes") }} minutes' then 1
            else 0
        end as starts_session
    from events
),

numbered as (
    select
        *,
        sum(starts_session) over (
            partition by source, anonymous_id
            order by occurred_at asc nulls last, event_id asc
            rows unbounded preceding
        ) as session_number
    from with_gaps
),

sessionized as (
    select
        numbered.event_id,
        clustered.customer_id,
        case
            when numbered.occurred_at is not null
                then
                    'ses_'
                    || substr(md5(numbered.anonymous_id || ':' || numbered.session_number), 1, 16)
        end as session_id,
        numbered.anonymous_id,
        numbered.user_id,
        numbered.event_type,
        numbered.event_name,
        numbered.occurred_at,
        numbered.received_at,
        numbered.page_path,
        numbered.page_url,
        numbered.page_title,
        numbered.page_referrer,
        numbered.utm_source,
        numbered.utm_medium,
        numbered.utm_campaign,
        numbered.order_id,
        numbered.order_revenue,
        numbered.currency,
        numbered.properties
    from numbered
    left join clustered
        on numbered.source = clustered.source and numbered.anonymous_id = clustered.record_id
)

select * from sessionized
