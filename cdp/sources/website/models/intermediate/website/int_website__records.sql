-- The website's records: a device (Segment anonymousId) is the website record of the graph.
{{ config(materialized='ephemeral') }}

with

events as (
    select * from {{ ref('stg_website__events') }}
),

devices as (
    select
        'website' as source,
        anonymous_id as record_id,
        min(occurred_at) as first_seen_at,
        max(occurred_at) as last_seen_at,
        min(cast(_dlt_load_id as double)) as first_loaded_at
    from events
    where anonymous_id is not null
    group by anonymous_id
)

select * from devices
