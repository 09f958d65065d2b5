-- Messenger webhook events of the business's Pages, one row each: the person (their PSID, the
-- Page's scoped id of them), the Page, what (a message, the Page's echo of its own, a
-- postback, an ad's referral, a delivery or read receipt), when. Incremental: a build stages
-- only the events a load since the last build brought.
{{ config(materialized='incremental', incremental_strategy='delete+insert',
          unique_key='event_id') }}

{%- set event_key = "coalesce(" ~ json_text('message', ['mid']) ~ ", "
    ~ json_text('postback', ['mid']) ~ ", _record_hash)" %}

with

source as (
    {{ versions_to_stage(source('chat', 'messenger_events'), event_key) }}
),

keyed as (
    select
        *,
        {{ event_key }} as event_id,
        coalesce(lower({{ json_text('message', ['is_echo']) }}) = 'true', false) as is_echo
    from source
),

latest_versions as (
    {{ latest_version('keyed', 'event_id') }}
),

renamed as (
    select
        event_id,
        case
            when message is not null then 'message'
            when postback is not null then 'postback'
            when referral is not null then 'referral'
            when delivery is not null then 'delivery'
            when read is not null then 'read'
            when reaction is not null then 'reaction'
            when optin is not null then 'optin'
            else 'other'
        end as event_name,
        case
            when is_echo then 'outbound'
            when delivery is not null or read is not null then 'receipt'
            else 'inbound'
        end as direction,
        -- An echo is the Page's own message: the person is its recipient.
        case
            when is_echo then {{ json_text('recipient', ['id']) }}
            else {{ json_text('sender', ['id']) }}
        end as psid,
        case
            when is_echo then {{ json_text('sender', ['id']) }}
            else {{ json_text('recipient', ['id']) }}
        end as page_id,
        {{ unix_time_text('timestamp') }} as occurred_at_exported,
        timestamp as timestamp_sent,
        {{ json_text('message', ['text']) }} as message_text,
        {{ json_text('message', ['attachments']) }} is not null as has_attachments,
        {{ json_text('postback', ['payload']) }} as postback_payload,
        -- An ad's click-to-Messenger (or m.me link) referral: where the conversation came from.
        -- Its ad id is every clicker's, so it links nobody.
        coalesce(
            {{ json_text('referral', ['ad_id']) }},
            {{ json_text('message', ['referral', 'ad_id']) }},
            {{ json_text('postback', ['referral', 'ad_id']) }}
        ) as referral_ad_id,
        coalesce(
            {{ json_text('referral', ['ref']) }},
            {{ json_text('postback', ['referral', 'ref']) }}
        ) as referral_ref,
        coalesce(
            {{ json_text('referral', ['source']) }},
            {{ json_text('postback', ['referral', 'source']) }}
        ) as referral_source,
        _source_file,
        _dlt_load_id
    from latest_versions
),

normalized as (
    select
        *,
        psid as record_id,
        page_id || ':' || psid as address,
        {{ plausible_timestamp('occurred_at_exported') }} as occurred_at
    from renamed
)

select * from normalized
