-- Both chat channels' events in one shape: the record (a Zalo user id in the app, a
-- Messenger PSID), the thread (`address`: the OA or Page and the person's id there), what
-- happened and its text. Read by the chat models of identity, channel state and activity.
{{ config(materialized='ephemeral') }}

with

zalo as (
    select * from {{ ref('stg_chat__zalo_events') }}
),

messenger as (
    select * from {{ ref('stg_chat__messenger_events') }}
),

stacked as (
    select
        'zalo' as channel,
        record_id,
        address,
        event_id,
        event_name,
        direction,
        occurred_at,
        occurred_at_exported,
        message_text,
        cast(null as {{ dbt.type_string() }}) as referral_ad_id,
        _source_file,
        _dlt_load_id
    from zalo
    where user_oa_id is not null or user_id_by_app is not null
    union all
    select
        'messenger' as channel,
        record_id,
        address,
        event_id,
        event_name,
        direction,
        occurred_at,
        occurred_at_exported,
        message_text,
        referral_ad_id,
        _source_file,
        _dlt_load_id
    from messenger
    where psid is not null
)

select * from stacked
