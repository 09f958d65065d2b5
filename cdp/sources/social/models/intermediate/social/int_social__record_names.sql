-- The names Meta leads were given, folded.
{{ config(materialized='ephemeral') }}

with

leads as (
    select * from {{ ref('stg_social__leads') }}
),

names as (
    select
        'social' as source,
        lead_id as record_id,
        name_key
    from leads
)

select * from names
