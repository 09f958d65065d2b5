-- The identifiers each email record carries. A member's own id is namespaced
-- (`mailchimp:<EUID>`, type esp_member_id): it links only the member's own rows; the address
-- links records across sources.
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

record_identifiers as (
    select
        member_id as record_id,
        'esp_member_id' as identifier_type,
        'mailchimp:' || member_id as identifier_value,
        coalesce(opted_in_at, last_changed_at) as seen_at
    from members
    union all
    select
        member_id,
        'email',
        email_normalized,
        coalesce(opted_in_at, last_changed_at)
    from members
    union all
    select
        member_id,
        'phone',
        phone_normalized,
        coalesce(opted_in_at, last_changed_at)
    from members
    union all
    select
        email_id,
        'email',
        email_normalized,
        occurred_at
    from activity
    union all
    select
        record_id,
        'esp_member_id',
        'email_events:' || record_id,
        occurred_at
    from events
    union all
    select
        record_id,
        'email',
        email_normalized,
        occurred_at
    from events
    union all
    select
        profile_id,
        'esp_member_id',
        'klaviyo:' || profile_id,
        updated_at
    from klaviyo_profiles
    union all
    select
        profile_id,
        'email',
        email_normalized,
        updated_at
    from klaviyo_profiles
    union all
    select
        profile_id,
        'phone',
        phone_normalized,
        updated_at
    from klaviyo_profiles
    union all
    -- Klaviyo's external_id is the business's own id of the person: its account id.
    select
        profile_id,
        'user_id',
        external_id,
        updated_at
    from klaviyo_profiles
),

grouped as (
    select
        'email' as source,
        record_id,
        identifier_type,
        identifier_value,
        min(seen_at) as first_seen_at,
        max(seen_at) as last_seen_at
    from record_identifiers
    where identifier_value is not null
    group by record_id, identifier_type, identifier_value
)

select * from grouped
