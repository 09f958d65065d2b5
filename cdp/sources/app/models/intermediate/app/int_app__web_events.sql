-- The app's events beside the website's: sessions and the events mart take both (a screen is
-- the app's page view).
{{ config(materialized='ephemeral') }}

with

events as (
    select * from {{ ref('stg_app__events') }}
),

app_events as (
    select
        'app' as source,
        event_id,
        anonymous_id,
        user_id,
        event_type,
        event_name,
        occurred_at,
        received_at,
        screen_name as page_path,
        cast(null as {{ dbt.type_string() }}) as page_url,
        screen_name as page_title,
        cast(null as {{ dbt.type_string() }}) as page_referrer,
        utm_source,
        utm_medium,
        utm_campaign,
        order_id,
        order_revenue,
        currency,
        properties,
        _dlt_load_id
    from events
)

select * from app_events
