-- Zalo OA webhook events, one row each: who (the person's id in the app, and in the OA), which
-- OA, what (a message, a follow, the info form), when. A message's id is its event's; an event
-- without one (a follow) is known by its content. Incremental: a build stages only the events
-- a load since the last build brought.
{{ config(materialized='incremental', incremental_strategy='delete+insert',
          unique_key='event_id') }}

{%- set event_key = "coalesce(" ~ json_text('message', ['msg_id']) ~ ", _record_hash)" %}

with

source as (
    {{ versions_to_stage(source('chat', 'zalo_events'), event_key) }}
),

keyed as (
    select
        *,
        {{ event_key }} as event_id
    from source
),

latest_versions as (
    {{ latest_version('keyed', 'event_id') }}
),

renamed as (
    select
        event_id,
        event_name,
        -- The OA speaks in `oa_send_*` and in receipts of what it sent; a follow names its
        -- follower; in everything else the person is the sender.
        case
            when event_name like 'oa\_%' escape '\' then 'outbound'
            when event_name in ('user_received_message', 'user_seen_message') then 'receipt'
            else 'inbound'
        end as direction,
        app_id,
        user_id_by_app,
        case
            when event_name in ('follow', 'unfollow') then {{ json_text('follower', ['id']) }}
            when
                event_name like 'oa\_%' escape '\'
                or event_name in ('user_received_message', 'user_seen_message')
                then {{ json_text('recipient', ['id']) }}
            else {{ json_text('sender', ['id']) }}
        end as user_oa_id,
        case
            when event_name in ('follow', 'unfollow') then oa_id
            when
                event_name like 'oa\_%' escape '\'
                or event_name in ('user_received_message', 'user_seen_message')
                then {{ json_text('sender', ['id']) }}
            else {{ json_text('recipient', ['id']) }}
        end as oa_id,
        {{ unix_time_text('timestamp') }} as occurred_at_exported,
        timestamp as timestamp_sent,
        {{ json_text('message', ['text']) }} as message_text,
        {{ json_text('message', ['attachments']) }} is not null as has_attachments,
        {{ json_text('info', ['name']) }} as submitted_name,
        {{ json_text('info', ['phone']) }} as submitted_phone,
        {{ json_text('info', ['city']) }} as submitted_city,
        source as follow_source,
        _source_file,
        _dlt_load_id
    from latest_versions
),

normalized as (
    select
        *,
        -- The person's id in the app: one record whichever of the app's OAs they talk to. An
        -- event Zalo sent without it is kept under the id in its OA.
        coalesce(user_id_by_app, 'oa:' || oa_id || ':' || user_oa_id) as record_id,
        oa_id || ':' || user_oa_id as address,
        {{ plausible_timestamp('occurred_at_exported') }} as occurred_at,
        {{ normalize_phone('submitted_phone') }} as submitted_phone_normalized,
        {{ fold_name('submitted_name') }} as name_key
    from renamed
)

select * from normalized
