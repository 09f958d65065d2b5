-- The names identify calls gave each install, folded; a shared install's are nobody's.
{{ config(materialized='ephemeral') }}

with

attributes as (
    select * from {{ ref('int_app__record_attributes') }}
),

names as (
    select distinct
        source,
        record_id,
        name_key
    from attributes
    where name_key is not null
)

select * from names
