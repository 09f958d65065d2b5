-- Email's records: each Mailchimp member, each address of the activity export (its email_id),
-- each contact an email tool's events name, each Klaviyo profile.
{{ config(materialized='ephemeral') }}

with

members as (
    select * from {{ ref('stg_email__mailchimp_members') }}
),

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

member_records as (
    select
        'email' as source,
        member_id as record_id,
        coalesce(opted_in_at, confirmed_at, last_changed_at, unsubscribed_at, cleaned_at)
            as first_seen_at,
        greatest(opted_in_at, confirmed_at, last_changed_at, unsubscribed_at, cleaned_at)
            as last_seen_at,
        cast(_dlt_load_id as double) as first_loaded_at
    from members
),

address_records as (
    select
        'email' as source,
        email_id as record_id,
        min(occurred_at) as first_seen_at,
        max(occurred_at) as last_seen_at,
        min(cast(_dlt_load_id as double)) as first_loaded_at
    from activity
    group by email_id
),

contact_records as (
    select
        'email' as source,
        record_id,
        min(occurred_at) as first_seen_at,
        max(occurred_at) as last_seen_at,
        min(cast(_dlt_load_id as double)) as first_loaded_at
    from events
    group by record_id
),

-- A Klaviyo profile, with the events it had (a profile outside the first pull's window is
-- known by its events alone).
klaviyo_records as (
    select
        'email' as source,
        profile_id as record_id,
        min(seen_at) as first_seen_at,
        max(seen_at) as last_seen_at,
        min(loaded) as first_loaded_at
    from (
        select
            profile_id,
            coalesce(created_at, updated_at) as seen_at,
            cast(_dlt_load_id as double) as loaded
        from klaviyo_profiles
        union all
        select
            profile_id,
            updated_at,
            cast(_dlt_load_id as double)
        from klaviyo_profiles
        union all
        select
            profile_id,
            occurred_at,
            cast(_dlt_load_id as double)
        from klaviyo_events
        where profile_id is not null
    ) as profile_moments
    group by profile_id
),

unioned as (
    select * from member_records
    union all
    select * from address_records
    union all
    select * from contact_records
    union all
    select * from klaviyo_records
)

select * from unioned
