-- Chat accounts that state more phones (or emails) as their own than one person has: a
-- family's shared Zalo account (one member fills the info form, another writes their own
-- number), a customer writing a relative's number beside their own without saying whose it
-- is. Nothing in a chat says whose each number is, so such an account links through none of
-- that kind (int_chat__identifiers). Values a message says are someone else's
-- (int_chat_stated_identifiers.is_someone_elses) are not counted: they link nobody anyway.
-- `max_identifiers_per_chat_account` (vars) sets how many of a kind one account may state.
{{ config(materialized='table') }}

with

stated as (
    select * from {{ ref('int_chat_stated_identifiers') }}
    where not is_someone_elses
),

counted as (
    select
        record_id,
        identifier_type,
        count(distinct identifier_value) as values_count
    from stated
    group by record_id, identifier_type
)

select
    record_id,
    identifier_type,
    values_count
from counted
where values_count > {{ var('max_identifiers_per_chat_account') }}
