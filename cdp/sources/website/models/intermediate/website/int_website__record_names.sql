-- The names website devices were given: the traits of identify calls, folded.
{{ config(materialized='ephemeral') }}

with

events as (
    select * from {{ ref('stg_website__events') }}
),

names as (
    select
        'website' as source,
        anonymous_id as record_id,
        {{ fold_name('traits_name') }} as name_key
    from events
    where event_type = 'identify'
)

select * from names
