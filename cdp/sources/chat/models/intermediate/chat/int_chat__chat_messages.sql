-- Each chat event as activity, without its text: who wrote in which thread, when, in which
-- direction. Reply windows (marts.customer_channel_status) and chat engagement
-- (marts.customers) are counted from it; the text stays in staging, for its retention window.
{{ config(materialized='ephemeral') }}

with

events as (
    select * from {{ ref('int_chat_events') }}
)

select
    'chat' as source,
    record_id,
    channel,
    address,
    event_id,
    event_name,
    direction,
    occurred_at,
    referral_ad_id,
    _dlt_load_id
from events
where event_name not in ('follow', 'unfollow')
