-- The name each Mailchimp member gives, as written.
{{ config(materialized='ephemeral') }}

with

members as (
    select * from {{ ref('stg_email__mailchimp_members') }}
),

names as (
    select
        'email' as source,
        member_id as record_id,
        full_name
    from members
)

select * from names
