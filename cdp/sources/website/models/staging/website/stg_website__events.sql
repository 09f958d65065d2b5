-- Incremental: a build stages only the records a load since the last build brought a version
-- of (macro versions_to_stage); delete+insert replaces their staged rows.
{{ config(materialized='incremental', incremental_strategy='delete+insert',
          unique_key='event_id') }}

with

source as (
    {{ versions_to_stage(source('website', 'events'), 'message_id') }}
),

latest_versions as (
    {{ latest_version('source', 'message_id') }}
),

renamed as (
    select
        message_id as event_id,
        lower(type) as event_type,
        coalesce(event, name) as event_name,
        anonymous_id,
        user_id,
        -- A device's clock set to 2099 or 1970 is NULL, kept as exported for marts.data_issues
        -- (macro plausible_timestamp); the event is kept, in no session.
        {{ plausible_timestamp('timestamp') }} as occurred_at,
        timestamp as occurred_at_exported,
        {{ plausible_timestamp('sent_at') }} as sent_at,
        sent_at as sent_at_exported,
        {{ plausible_timestamp('received_at') }} as received_at,
        received_at as received_at_exported,
        {{ json_text('context', ['page', 'path']) }} as page_path,
        {{ json_text('context', ['page', 'url']) }} as page_url,
        {{ json_text('context', ['page', 'title']) }} as page_title,
        nullif({{ json_text('context', ['page', 'referrer']) }}, '') as page_referrer,
        {{ json_text('context', ['campaign', 'source']) }} as utm_source,
        {{ json_text('context', ['campaign', 'medium']) }} as utm_medium,
        {{ json_text('context', ['campaign', 'name']) }} as utm_campaign,
        {{ json_text('context', ['ip']) }} as ip_address,
        {{ json_text('context', ['userAgent']) }} as user_agent,
        -- Segment Consent Management's category preferences ({"Advertising": true, …}),
        -- stamped on every message of a consenting device, as JSON text.
        {{ json_text('context', ['consent', 'categoryPreferences']) }} as consent_preferences,
        {{ json_text('traits', ['email']) }} as traits_email,
        {{ json_text('traits', ['phone']) }} as traits_phone,
        {{ json_text('traits', ['name']) }} as traits_name,
        case
            when coalesce(event, name) = 'Order Completed'
                then {{ json_text('properties', ['order_id']) }}
        end as order_id,
        case
            when coalesce(event, name) = 'Order Completed'
                then {{ parse_amount(
                    json_text('properties', ['revenue']), json_text('properties', ['currency'])
                ) }}
        end as order_revenue,
        case
            when coalesce(event, name) = 'Order Completed' then {{ json_text('properties', ['revenue']) }}
        end as order_revenue_exported,
        {{ json_text('properties', ['currency']) }} as currency,
        properties,
        traits,
        _source_file,
        _dlt_load_id
    from latest_versions
),

normalized as (
    select
        *,
        {{ normalize_email('traits_email') }} as email_normalized,
        {{ normalize_phone('traits_phone') }} as phone_normalized
    from renamed
)

select * from normalized
