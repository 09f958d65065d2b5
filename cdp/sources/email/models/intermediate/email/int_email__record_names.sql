-- The names Mailchimp members gave (merge fields), folded.
{{ config(materialized='ephemeral') }}

with

members as (
    select * from {{ ref('stg_email__mailchimp_members') }}
),

names as (
    select
        'email' as source,
        member_id as record_id,
        name_key
    from members
)

select * from names
