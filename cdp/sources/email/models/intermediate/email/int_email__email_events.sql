-- Every email engagement the tools report: Mailchimp's activity and Segment Email-spec events.
{{ config(materialized='ephemeral') }}

with

activity as (
    select * from {{ ref('stg_email__mailchimp_activity') }}
),

events as (
    select * from {{ ref('stg_email__events') }}
),

unioned as (
    select
        'email' as source,
        email_id as record_id,
        activity_id as event_id,
        email_normalized as email,
        event_type,
        occurred_at,
        campaign_id
    from activity
    union all
    select
        'email' as source,
        record_id,
        event_id,
        email_normalized as email,
        event_type,
        occurred_at,
        coalesce(campaign_id, email_id) as campaign_id
    from events
    where event_type is not null
)

select * from unioned
