-- What a Zalo OA is told of its followers: a follow subscribes the person to the OA's
-- broadcasts, an unfollow ends it. `address` is the OA and the person's id in it: a
-- subscription is to one OA.
{{ config(materialized='ephemeral') }}

with

zalo as (
    select * from {{ ref('stg_chat__zalo_events') }}
    where event_name in ('follow', 'unfollow') and user_oa_id is not null
)

select
    'chat' as source,
    record_id,
    'zalo' as channel,
    address,
    address as address_written,
    case event_name when 'follow' then 'subscribed' else 'unsubscribed' end as status,
    occurred_at as stated_at,
    {{ timestamp_from_unix('_dlt_load_id') }} as loaded_at,
    'Zalo OA ' || oa_id || ': ' || event_name
    || coalesce(' (from ' || follow_source || ')', '') as statement
from zalo
