-- What each Mailchimp member says of its person, for the golden record.
{{ config(materialized='ephemeral') }}

with

members as (
    select * from {{ ref('stg_email__mailchimp_members') }}
),

klaviyo_profiles as (
    select * from {{ ref('stg_email__klaviyo_profiles') }}
),

attributes as (
    select
        'email' as source,
        member_id as record_id,
        coalesce(last_changed_at, opted_in_at) as observed_at,
        full_name,
        name_key,
        email_normalized as email,
        email_address as email_written,
        phone_normalized as phone,
        cast(null as {{ dbt.type_string() }}) as city
    from members
    union all
    select
        'email' as source,
        profile_id as record_id,
        updated_at as observed_at,
        full_name,
        name_key,
        email_normalized as email,
        email_address as email_written,
        phone_normalized as phone,
        city
    from klaviyo_profiles
)

select * from attributes
