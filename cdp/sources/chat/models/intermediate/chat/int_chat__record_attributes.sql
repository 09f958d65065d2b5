-- What Zalo's info form states of a person, each time they fill it: a candidate for the golden
-- record. Numbers written in messages are not: nothing says they are the writer's own.
{{ config(materialized='ephemeral') }}

with

zalo as (
    select * from {{ ref('stg_chat__zalo_events') }}
),

shared as (
    select
        record_id,
        max(case when identifier_type = 'phone' then 1 else 0 end) = 1 as shares_phones,
        max(case when identifier_type = 'name' then 1 else 0 end) = 1 as is_several_people
    from {{ ref('int_chat_shared_accounts') }}
    group by record_id
)

-- A shared account's numbers are nobody's in particular, and an account several people use
-- states nothing of one person.
select
    'chat' as source,
    zalo.record_id,
    zalo.occurred_at as observed_at,
    nullif(trim(zalo.submitted_name), '') as full_name,
    zalo.name_key,
    cast(null as {{ dbt.type_string() }}) as email,
    cast(null as {{ dbt.type_string() }}) as email_written,
    case
        when not coalesce(shared.shares_phones, false) then zalo.submitted_phone_normalized
    end as phone,
    nullif(trim(zalo.submitted_city), '') as city
from zalo
left join shared on zalo.record_id = shared.record_id
where
    zalo.event_name = 'user_submit_info'
    and not coalesce(shared.is_several_people, false)
