-- Mailchimp's email activity: one row per open, click or bounce. Incremental: a build stages
-- the activity of the addresses a load since the last build brought rows of.
{{ config(materialized='incremental', incremental_strategy='delete+insert',
          unique_key='activity_id') }}

{%- set zone = var('email_account_timezone') %}

with

source as (
    {{ versions_to_stage(source('email', 'mailchimp_activity'), 'email_id') }}
),

renamed as (
    select
        -- No activity id in the export: the row's content is its identity (the same row in
        -- two exports is one activity, stored once).
        _record_hash as activity_id,
        email_id,
        email_address,
        campaign_id,
        list_id,
        lower(trim(action)) as action,
        nullif(lower(trim(type)), '') as bounce_type,
        case lower(trim(action))
            when 'open' then 'opened'
            when 'click' then 'clicked'
            when 'bounce' then 'bounced'
            when 'sent' then 'delivered'
            when 'unsub' then 'unsubscribed'
            when 'unsubscribe' then 'unsubscribed'
            when 'abuse' then 'complained'
            else lower(trim(action))
        end as event_type,
        {{ plausible_timestamp(timestamp_in_zone('timestamp', zone)) }} as occurred_at,
        timestamp as occurred_at_exported,
        nullif(trim(url), '') as url,
        _source_file,
        _dlt_load_id
    from source
),

normalized as (
    select
        *,
        {{ normalize_email('email_address') }} as email_normalized
    from renamed
)

select * from normalized
