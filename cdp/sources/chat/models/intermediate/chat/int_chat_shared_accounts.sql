-- Chat accounts more than one person uses, or that state more phones (or emails) as their
-- own than one person has: a family's shared Zalo account (two members fill the info form
-- with their own names, or one fills it and another writes their own number), a customer
-- writing a relative's number beside their own without saying whose it is. Nothing in a chat
-- says whose each number is, so such an account links through none of that kind
-- (int_chat__identifiers); one whose info forms name several people (kind `name`) links
-- through nothing and names nobody. Values a message says are someone else's
-- (int_chat_stated_identifiers.is_someone_elses) are not counted: they link nobody anyway.
-- `max_identifiers_per_chat_account` (vars) sets how many of a kind one account may state.
{{ config(materialized='table') }}

with

stated as (
    select
        record_id,
        identifier_type,
        identifier_value
    from {{ ref('int_chat_stated_identifiers') }}
    where not is_someone_elses
),

named as (
    select
        record_id,
        'name' as identifier_type,
        name_key as identifier_value
    from {{ ref('stg_chat__zalo_events') }}
    where
        event_name = 'user_submit_info'
        and {{ are_usable_name_words(name_words('name_key')) }}
),

counted as (
    select
        record_id,
        identifier_type,
        count(distinct identifier_value) as values_count
    from (
        select * from stated
        union all
        select * from named
    ) as every_value
    group by record_id, identifier_type
)

select
    record_id,
    identifier_type,
    values_count
from counted
where values_count > {{ var('max_identifiers_per_chat_account') }}
