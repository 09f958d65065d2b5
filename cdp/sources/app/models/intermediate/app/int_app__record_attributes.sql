-- What each identify call of an install says of its person, for the golden record; a shared
-- install (int_app_shared_devices) speaks for nobody.
{{ config(materialized='ephemeral') }}

with

events as (
    select * from {{ ref('stg_app__events') }}
),

shared as (
    select key_value from {{ ref('int_app_shared_devices') }}
    where key_type = 'app_install'
),

attributes as (
    select
        'app' as source,
        events.anonymous_id as record_id,
        events.occurred_at as observed_at,
        {{ nfc('events.traits_name') }} as full_name,
        events.name_key,
        events.email_normalized as email,
        events.traits_email as email_written,
        events.phone_normalized as phone,
        cast(null as {{ dbt.type_string() }}) as city
    from events
    left join shared on events.anonymous_id = shared.key_value
    where events.event_type = 'identify' and shared.key_value is null
)

select * from attributes
