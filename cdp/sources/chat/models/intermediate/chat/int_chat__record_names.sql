-- The names chat records give: the name written in Zalo's info form (a chat carries no other).
{{ config(materialized='ephemeral') }}

with

zalo as (
    select * from {{ ref('stg_chat__zalo_events') }}
)

select distinct
    'chat' as source,
    record_id,
    name_key
from zalo
where event_name = 'user_submit_info' and name_key is not null
