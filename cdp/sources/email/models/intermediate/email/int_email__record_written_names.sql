-- The name each Mailchimp member gives, as written.
{{ config(materialized='ephemeral') }}

with

members as (
    select * from {{ ref('stg_email__mailchimp_members') }}
),

klaviyo_profiles as (
    select * from {{ ref('stg_email__klaviyo_profiles') }}
),

names as (
    select
        'email' as source,
        member_id as record_id,
        full_name
    from members
    union all
    select
        'email' as source,
        profile_id as record_id,
        full_name
    from klaviyo_profiles
)

select * from names
