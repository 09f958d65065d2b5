-- Segment Email-spec events from any email tool, and identify calls it sends. Incremental: a
-- build stages only the messages a load since the last build brought a version of.
{{ config(materialized='incremental', incremental_strategy='delete+insert',
          unique_key='event_id') }}

with

source as (
    {{ versions_to_stage(source('email', 'events'), 'message_id') }}
),

latest_versions as (
    {{ latest_version('source', 'message_id') }}
),

renamed as (
    select
        message_id as event_id,
        -- The email tool's contact: Segment requires a userId or an anonymousId.
        coalesce(user_id, anonymous_id) as record_id,
        user_id,
        anonymous_id,
        lower(type) as call_type,
        event as event_name,
        case event
            when 'Email Delivered' then 'delivered'
            when 'Email Opened' then 'opened'
            when 'Email Link Clicked' then 'clicked'
            when 'Email Bounced' then 'bounced'
            when 'Email Marked as Spam' then 'complained'
            when 'Unsubscribed' then 'unsubscribed'
        end as event_type,
        {{ plausible_timestamp('timestamp') }} as occurred_at,
        timestamp as occurred_at_exported,
        {{ plausible_timestamp('received_at') }} as received_at,
        -- The recipient is in context.traits.email (the spec); some tools put it in traits
        -- or properties.
        coalesce(
            {{ json_text('context', ['traits', 'email']) }},
            {{ json_text('traits', ['email']) }},
            {{ json_text('properties', ['email']) }}
        ) as email_address,
        {{ json_text('properties', ['email_id']) }} as email_id,
        {{ json_text('properties', ['campaign_id']) }} as campaign_id,
        {{ json_text('properties', ['campaign_name']) }} as campaign_name,
        {{ json_text('properties', ['list_id']) }} as list_id,
        {{ json_text('properties', ['link_url']) }} as link_url,
        -- The spec gives a bounce no type; a tool that adds one says whether it was soft.
        lower(coalesce(
            {{ json_text('properties', ['bounce_type']) }},
            {{ json_text('properties', ['type']) }}
        )) as bounce_type,
        _source_file,
        _dlt_load_id
    from latest_versions
),

normalized as (
    select
        *,
        {{ normalize_email('email_address') }} as email_normalized
    from renamed
    where record_id is not null
)

select * from normalized
