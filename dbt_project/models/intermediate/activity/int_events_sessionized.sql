-- One row per website event with its session (a new one after `session_timeout_minutes`
-- without an event on the device) and its customer.
with

events as (
    select * from {{ ref('stg_website__events') }}
),

clustered as (
    select * from {{ ref('int_records_clustered') }}
),

with_gaps as (
    select
        *,
        case
            when
                lag(occurred_at) over (partition by anonymous_id order by occurred_at, event_id)
                is null then 1
            when occurred_at - lag(occurred_at) over (
                partition by anonymous_id order by occurred_at, event_id
            ) > interval '{{ var("session_timeout_minutes") }} minutes' then 1
            else 0
        end as starts_session
    from events
),

numbered as (
    select
        *,
        sum(starts_session) over (
            partition by anonymous_id order by occurred_at, event_id rows unbounded preceding
        ) as session_number
    from with_gaps
),

sessionized as (
    select
        numbered.event_id,
        clustered.customer_id,
        'ses_' || substr(md5(numbered.anonymous_id || ':' || numbered.session_number), 1, 16)
            as session_id,
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
        on clustered.source = 'website' and numbered.anonymous_id = clustered.record_id
)

select * from sessionized
