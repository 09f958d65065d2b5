-- Devices several people use: an app install, a device id or an advertising id on which more
-- than `max_people_per_device` people are active within `shared_device_window_days` days of one
-- another (a family tablet, a shop's demo phone). People are told apart by the user id they
-- sign in with, else the email an identify call gives (an email given with a user id on the
-- same key is that user's). Such a
-- value links nobody: int_app__identifiers leaves it out, and a shared install's own user ids
-- and contacts too. A handed-down phone (a second person long after the first) is not shared.
{%- set limit = var('max_people_per_device') %}
{%- set window_days = var('shared_device_window_days') %}
with

events as (
    select * from {{ ref('stg_app__events') }}
    where occurred_at is not null
),

keyed as (
    select
        'app_install' as key_type,
        anonymous_id as key_value,
        user_id,
        email_normalized,
        occurred_at
    from events
    where anonymous_id is not null
    union all
    select
        'device_id' as key_type,
        device_id as key_value,
        user_id,
        email_normalized,
        occurred_at
    from events
    where device_id is not null
    union all
    select
        'advertising_id' as key_type,
        advertising_id as key_value,
        user_id,
        email_normalized,
        occurred_at
    from events
    where advertising_id is not null
),

-- An email some call on the key gave together with a user id is that user's.
users_of_emails as (
    select
        key_type,
        key_value,
        email_normalized,
        min(user_id) as user_id
    from keyed
    where user_id is not null and email_normalized is not null
    group by key_type, key_value, email_normalized
),

people as (
    select
        keyed.key_type,
        keyed.key_value,
        coalesce(keyed.user_id, users_of_emails.user_id, keyed.email_normalized) as person_key,
        keyed.occurred_at
    from keyed
    left join users_of_emails
        on
            keyed.key_type = users_of_emails.key_type
            and keyed.key_value = users_of_emails.key_value
            and keyed.email_normalized = users_of_emails.email_normalized
    where coalesce(keyed.user_id, keyed.email_normalized) is not null
),

spans as (
    select
        key_type,
        key_value,
        person_key,
        min(occurred_at) as first_active_at,
        max(occurred_at) as last_active_at
    from people
    group by key_type, key_value, person_key
),

-- Only keys with more people than the limit at all can exceed it in a window.
over_limit as (
    select
        key_type,
        key_value
    from spans
    group by key_type, key_value
    having count(*) > {{ limit }}
),

crowded as (
    select spans.*
    from spans
    inner join over_limit
        on spans.key_type = over_limit.key_type and spans.key_value = over_limit.key_value
),

people_in_window as (
    select
        one.key_type,
        one.key_value,
        one.person_key,
        1 + count(distinct other.person_key) as people_in_window
    from crowded as one
    inner join crowded as other
        on
            one.key_type = other.key_type
            and one.key_value = other.key_value
            and one.person_key != other.person_key
            and other.first_active_at
            <= {{ dbt.dateadd('day', window_days, 'one.last_active_at') }}
            and one.first_active_at
            <= {{ dbt.dateadd('day', window_days, 'other.last_active_at') }}
    group by one.key_type, one.key_value, one.person_key
)

select
    key_type,
    key_value,
    max(people_in_window) as people_in_window,
    {{ window_days }} as window_days
from people_in_window
group by key_type, key_value
having max(people_in_window) > {{ limit }}
