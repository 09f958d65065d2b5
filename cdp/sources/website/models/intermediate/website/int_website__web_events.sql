-- The website's events, for the web events every site and app adds to.
{{ config(materialized='ephemeral') }}

with

events as (
    select * from {{ ref('stg_website__events') }}
),

web_events as (
    select
        'website' as source,
        event_id,
        anonymous_id,
        user_id,
        event_type,
        event_name,
        occurred_at,
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
        _dlt_load_id
    from events
)

select * from web_events
