-- The names Mailchimp members gave (merge fields), folded.
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
        name_key
    from members
    union all
    select
        'email' as source,
        profile_id as record_id,
        name_key
    from klaviyo_profiles
)

select * from names
