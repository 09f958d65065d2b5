-- The chat records: each Zalo user id in the business's app and each Messenger PSID, from
-- their first to their last event.
{{ config(materialized='ephemeral') }}

with

events as (
    select * from {{ ref('int_chat_events') }}
),

records as (
    select
        'chat' as source,
        record_id,
        min(occurred_at) as first_seen_at,
        max(occurred_at) as last_seen_at,
        min(cast(_dlt_load_id as double)) as first_loaded_at
    from events
    where record_id is not null
    group by record_id
)

select * from records
