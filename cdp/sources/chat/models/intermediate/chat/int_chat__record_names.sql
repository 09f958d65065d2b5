-- The names chat records give: the name written in Zalo's info form (a chat carries no other),
-- none for an account several people use (int_chat_shared_accounts).
{{ config(materialized='ephemeral') }}

with

zalo as (
    select * from {{ ref('stg_chat__zalo_events') }}
),

shared as (
    select * from {{ ref('int_chat_shared_accounts') }}
    where identifier_type = 'name'
)

select distinct
    'chat' as source,
    zalo.record_id,
    zalo.name_key
from zalo
left join shared on zalo.record_id = shared.record_id
where
    zalo.event_name = 'user_submit_info'
    and zalo.name_key is not null
    and shared.record_id is null
