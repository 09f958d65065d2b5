-- Chat names as people wrote them (Zalo's info form), for the golden record's display: the
-- latest form's, one per record.
{{ config(materialized='ephemeral') }}

with

forms as (
    select
        record_id,
        submitted_name,
        row_number() over (
            partition by record_id order by occurred_at desc nulls last, event_id desc
        ) as recency_rank
    from {{ ref('stg_chat__zalo_events') }}
    where event_name = 'user_submit_info' and nullif(trim(submitted_name), '') is not null
)

select
    'chat' as source,
    record_id,
    submitted_name as full_name
from forms
where recency_rank = 1
