-- The name each device gives: whoever its latest identify call with a name names.
{{ config(materialized='ephemeral') }}

with

events as (
    select * from {{ ref('stg_website__events') }}
),

device_names as (
    select
        anonymous_id,
        {{ nfc('traits_name') }} as full_name,
        row_number() over (
            partition by anonymous_id order by occurred_at desc nulls last, event_id asc
        ) as recency
    from events
    where event_type = 'identify' and nullif(trim(traits_name), '') is not null
),

names as (
    select
        'website' as source,
        anonymous_id as record_id,
        full_name
    from device_names
    where recency = 1
)

select * from names
