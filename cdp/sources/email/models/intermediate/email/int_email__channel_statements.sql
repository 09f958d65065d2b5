-- What the email tools state of each address: a member's status (the export file it is in),
-- and the bounces, spam complaints and unsubscribes their activity and events report. A soft
-- bounce states nothing; a bounce of no stated type is taken as hard (Segment's spec gives
-- none, and a tool reports a soft one as such).
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

member_statements as (
    select
        'email' as source,
        member_id as record_id,
        'email' as channel,
        email_normalized as address,
        lower(trim(email_address)) as address_written,
        member_status as status,
        case member_status
            when 'subscribed' then coalesce(confirmed_at, opted_in_at, last_changed_at)
            when 'unsubscribed' then coalesce(unsubscribed_at, last_changed_at)
            when 'cleaned' then coalesce(cleaned_at, last_changed_at)
            else last_changed_at
        end as stated_at,
        {{ timestamp_from_unix('_dlt_load_id') }} as loaded_at,
        'Mailchimp member export: ' || member_status
        || coalesce(' (list ' || list_id || ')', '') as statement
    from members
),

activity_statements as (
    select
        'email' as source,
        email_id as record_id,
        'email' as channel,
        email_normalized as address,
        lower(trim(email_address)) as address_written,
        case event_type
            when 'bounced' then 'cleaned'
            else event_type
        end as status,
        occurred_at as stated_at,
        {{ timestamp_from_unix('_dlt_load_id') }} as loaded_at,
        'Mailchimp activity: ' || action || coalesce(' (' || bounce_type || ')', '')
        || coalesce(' in campaign ' || campaign_id, '') as statement
    from activity
    where
        event_type in ('unsubscribed', 'complained')
        or (event_type = 'bounced' and coalesce(bounce_type, 'hard') not like 'soft%')
),

event_statements as (
    select
        'email' as source,
        record_id,
        'email' as channel,
        email_normalized as address,
        lower(trim(email_address)) as address_written,
        case event_type
            when 'bounced' then 'cleaned'
            else event_type
        end as status,
        occurred_at as stated_at,
        {{ timestamp_from_unix('_dlt_load_id') }} as loaded_at,
        'Segment ' || event_name || coalesce(' (' || bounce_type || ')', '')
        || coalesce(' in campaign ' || campaign_id, '') as statement
    from events
    where
        event_type in ('unsubscribed', 'complained')
        or (event_type = 'bounced' and coalesce(bounce_type, 'hard') not like 'soft%')
),

unioned as (
    select * from member_statements
    union all
    select * from activity_statements
    union all
    select * from event_statements
)

select * from unioned
where address is not null
