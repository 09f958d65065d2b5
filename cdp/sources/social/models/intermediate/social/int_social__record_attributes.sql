-- What each lead says of its person, for the golden record.
{{ config(materialized='ephemeral') }}

with

leads as (
    select * from {{ ref('stg_social__leads') }}
),

attributes as (
    select
        'social' as source,
        lead_id as record_id,
        created_at as observed_at,
        full_name,
        name_key,
        email_normalized as email,
        email as email_written,
        phone_normalized as phone,
        cast(null as {{ dbt.type_string() }}) as city
    from leads
)

select * from attributes
