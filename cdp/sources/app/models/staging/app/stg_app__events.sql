-- Incremental: a build stages only the messages a load since the last build brought a version
-- of (macro versions_to_stage); delete+insert replaces their staged rows.
{{ config(materialized='incremental', incremental_strategy='delete+insert',
          unique_key='event_id') }}

with

source as (
    {{ versions_to_stage(source('app', 'events'), 'message_id') }}
),

latest_versions as (
    {{ latest_version('source', 'message_id') }}
),

renamed as (
    select
        message_id as event_id,
        lower(type) as event_type,
        -- A screen call names the screen in `name`; a track call its event in `event`.
        coalesce(event, name) as event_name,
        case when lower(type) = 'screen' then name end as screen_name,
        anonymous_id,
        user_id,
        {{ plausible_timestamp('timestamp') }} as occurred_at,
        timestamp as occurred_at_exported,
        {{ plausible_timestamp('received_at') }} as received_at,
        {{ json_text('context', ['device', 'id']) }} as device_id,
        {{ json_text('context', ['device', 'advertisingId']) }} as advertising_id_sent,
        lower({{ json_text('context', ['device', 'adTrackingEnabled']) }}) = 'true'
            as is_ad_tracking_enabled,
        {{ json_text('context', ['device', 'manufacturer']) }} as device_manufacturer,
        {{ json_text('context', ['device', 'model']) }} as device_model,
        {{ json_text('context', ['device', 'type']) }} as device_type,
        {{ json_text('context', ['os', 'name']) }} as os_name,
        {{ json_text('context', ['os', 'version']) }} as os_version,
        {{ json_text('context', ['app', 'name']) }} as app_name,
        {{ json_text('context', ['app', 'version']) }} as app_version,
        {{ json_text('context', ['app', 'build']) }} as app_build,
        {{ json_text('context', ['campaign', 'source']) }} as utm_source,
        {{ json_text('context', ['campaign', 'medium']) }} as utm_medium,
        {{ json_text('context', ['campaign', 'name']) }} as utm_campaign,
        coalesce(
            {{ json_text('traits', ['email']) }},
            {{ json_text('context', ['traits', 'email']) }}
        ) as traits_email,
        coalesce(
            {{ json_text('traits', ['phone']) }},
            {{ json_text('context', ['traits', 'phone']) }}
        ) as traits_phone,
        coalesce(
            {{ json_text('traits', ['name']) }},
            {{ json_text('context', ['traits', 'name']) }}
        ) as traits_name,
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
        {{ json_text('properties', ['currency']) }} as currency,
        properties,
        _source_file,
        _dlt_load_id
    from latest_versions
),

normalized as (
    select
        *,
        -- The advertising id only when the person allows tracking and it is one: iOS and
        -- Android return all zeros when tracking is limited (and some SDKs send the vendor id
        -- in its place, with adTrackingEnabled false).
        case
            when
                is_ad_tracking_enabled
                and not {{ regex_matches("coalesce(advertising_id_sent, '')", "'^[0\\-]*$'") }}
                then lower(trim(advertising_id_sent))
        end as advertising_id,
        {{ normalize_email('traits_email') }} as email_normalized,
        {{ normalize_phone('traits_phone') }} as phone_normalized,
        {{ fold_name('traits_name') }} as name_key
    from renamed
)

select * from normalized
