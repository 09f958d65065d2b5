-- The name each lead gives, as written.
{{ config(materialized='ephemeral') }}

with

leads as (
    select * from {{ ref('stg_social__leads') }}
),

names as (
    select
        'social' as source,
        lead_id as record_id,
        full_name
    from leads
)

select * from names
