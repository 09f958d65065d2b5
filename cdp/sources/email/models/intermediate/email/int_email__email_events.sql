-- Every email engagement the tools report: Mailchimp's activity and Segment Email-spec events.
{{ config(materialized='ephemeral') }}

with

activity as (
    select * from {{ ref('stg_email__mailchimp_activity') }}
),

events as (
    select * from {{ ref('stg_email__events') }}
),

klaviyo_profiles as (
    select * from {{ ref('stg_email__klaviyo_profiles') }}
),

klaviyo_events as (
    select * from {{ ref('stg_email__klaviyo_events') }}
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
    union all
    select
        'email' as source,
        klaviyo_events.profile_id as record_id,
        klaviyo_events.event_id,
        klaviyo_profiles.email_normalized as email,
        klaviyo_events.event_type,
        klaviyo_events.occurred_at,
        klaviyo_events.campaign_id
    from klaviyo_events
    left join klaviyo_profiles on klaviyo_events.profile_id = klaviyo_profiles.profile_id
    where klaviyo_events.event_type is not null and klaviyo_events.profile_id is not null
)

select * from unioned
