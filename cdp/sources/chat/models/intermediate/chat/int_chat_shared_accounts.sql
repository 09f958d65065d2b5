-- Chat accounts that state more phones (or emails) than one person has: a family's shared
-- Zalo account, a shop assistant's, a customer ordering for relatives ("giao cho mẹ em số
-- …"). Nothing in a chat says whose each number is, so such an account links through none of
-- that kind (int_chat__identifiers). A number given in the info form is the person's own: when
-- the account gave one, numbers written in messages are not counted against it (they are
-- someone's to deliver to), and only info-form numbers can make it shared.
-- `max_identifiers_per_chat_account` (vars) sets how many of a kind one account may state.
{{ config(materialized='table') }}

with

stated as (
    select * from {{ ref('int_chat_stated_identifiers') }}
),

with_form as (
    select
        *,
        max(case when stated_in = 'info form' then 1 else 0 end) over (
            partition by record_id, identifier_type
        ) as has_form_value
    from stated
),

counted as (
    select
        record_id,
        identifier_type,
        count(distinct identifier_value) as values_count
    from with_form
    where has_form_value = 0 or stated_in = 'info form'
    group by record_id, identifier_type
)

select
    record_id,
    identifier_type,
    values_count
from counted
where values_count > {{ var('max_identifiers_per_chat_account') }}
