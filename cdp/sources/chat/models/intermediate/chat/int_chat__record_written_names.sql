-- Chat names as people wrote them (Zalo's info form), for the golden record's display: the
-- latest form's, one per record; none for an account several people use.
{{ config(materialized='ephemeral') }}

with

shared as (
    select * from {{ ref('int_chat_shared_accounts') }}
    where identifier_type = 'name'
),

forms as (
    select
        zalo.record_id,
        zalo.submitted_name,
        row_number() over (
            partition by zalo.record_id
            order by zalo.occurred_at desc nulls last, zalo.event_id desc
        ) as recency_rank
    from {{ ref('stg_chat__zalo_events') }} as zalo
    left join shared on zalo.record_id = shared.record_id
    where
        zalo.event_name = 'user_submit_info'
        and nullif(trim(zalo.submitted_name), '') is not null
        and shared.record_id is null
)

select
    'chat' as source,
    record_id,
    submitted_name as full_name
from forms
where recency_rank = 1
