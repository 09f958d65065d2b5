-- The names identify calls gave each install, as written.
{{ config(materialized='ephemeral') }}

with

attributes as (
    select * from {{ ref('int_app__record_attributes') }}
),

names as (
    select distinct
        source,
        record_id,
        full_name
    from attributes
    where nullif(trim(full_name), '') is not null
)

select * from names
