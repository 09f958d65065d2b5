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

klaviyo_profiles as (
    select * from {{ ref('stg_email__klaviyo_profiles') }}
),

klaviyo_events as (
    select * from {{ ref('stg_email__klaviyo_events') }}
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

-- A Klaviyo profile's email marketing consent, and each suppression Klaviyo lists for it.
klaviyo_consents as (
    select
        'email' as source,
        profile_id as record_id,
        'email' as channel,
        email_normalized as address,
        lower(trim(email_address)) as address_written,
        case email_consent
            when 'SUBSCRIBED' then 'subscribed'
            when 'UNSUBSCRIBED' then 'unsubscribed'
            else 'nonsubscribed'
        end as status,
        coalesce(email_consent_at, updated_at) as stated_at,
        {{ timestamp_from_unix('_dlt_load_id') }} as loaded_at,
        'Klaviyo email marketing consent: ' || email_consent as statement
    from klaviyo_profiles
    where email_consent is not null
),

klaviyo_suppression_lists as (
    select
        profile_id,
        email_normalized,
        email_address,
        _dlt_load_id,
        unnest(from_json(email_suppressions, '[{"reason": "VARCHAR", "timestamp": "VARCHAR"}]'))
            as suppression
    from klaviyo_profiles
    where json_valid(email_suppressions) and json_type(email_suppressions) = 'ARRAY'
),

klaviyo_suppressions as (
    select
        'email' as source,
        profile_id as record_id,
        'email' as channel,
        email_normalized as address,
        lower(trim(email_address)) as address_written,
        case upper(struct_extract(suppression, 'reason'))
            when 'HARD_BOUNCE' then 'cleaned'
            when 'INVALID_EMAIL' then 'cleaned'
            when 'SPAM_COMPLAINT' then 'complained'
            else 'unsubscribed'
        end as status,
        try_cast(struct_extract(suppression, 'timestamp') as timestamptz) as stated_at,
        {{ timestamp_from_unix('_dlt_load_id') }} as loaded_at,
        'Klaviyo suppression: ' || coalesce(struct_extract(suppression, 'reason'), '?')
            as statement
    from klaviyo_suppression_lists
),

klaviyo_event_statements as (
    select
        'email' as source,
        klaviyo_events.profile_id as record_id,
        'email' as channel,
        klaviyo_profiles.email_normalized as address,
        lower(trim(klaviyo_profiles.email_address)) as address_written,
        case klaviyo_events.event_type
            when 'bounced' then 'cleaned'
            else klaviyo_events.event_type
        end as status,
        klaviyo_events.occurred_at as stated_at,
        {{ timestamp_from_unix('klaviyo_events._dlt_load_id') }} as loaded_at,
        'Klaviyo ' || klaviyo_events.metric_name
        || coalesce(' (' || klaviyo_events.bounce_type || ')', '') as statement
    from klaviyo_events
    inner join klaviyo_profiles on klaviyo_events.profile_id = klaviyo_profiles.profile_id
    where
        klaviyo_events.event_type in ('unsubscribed', 'complained')
        or (
            klaviyo_events.event_type = 'bounced'
            and coalesce(klaviyo_events.bounce_type, 'hard') not like 'soft%'
        )
),

unioned as (
    select * from member_statements
    union all
    select * from activity_statements
    union all
    select * from event_statements
    union all
    select * from klaviyo_consents
    union all
    select * from klaviyo_suppressions
    union all
    select * from klaviyo_event_statements
)

select * from unioned
where address is not null
