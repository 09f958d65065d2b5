-- Email's records: each Mailchimp member, each address of the activity export (its email_id),
-- each contact an email tool's events name.
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

unioned as (
    select * from member_records
    union all
    select * from address_records
    union all
    select * from contact_records
)

select * from unioned
