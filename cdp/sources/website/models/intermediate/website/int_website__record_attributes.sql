-- What each identify call says of the device's person, for the golden record.
{{ config(materialized='ephemeral') }}

with

events as (
    select * from {{ ref('stg_website__events') }}
),

attributes as (
    select
        'website' as source,
        anonymous_id as record_id,
        occurred_at as observed_at,
        {{ nfc('traits_name') }} as full_name,
        {{ fold_name('traits_name') }} as name_key,
        email_normalized as email,
        traits_email as email_written,
        phone_normalized as phone,
        cast(null as {{ dbt.type_string() }}) as city
    from events
    where event_type = 'identify'
)

select * from attributes
