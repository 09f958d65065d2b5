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
        min(cast(_dlt_load_id as double)) as first_loaded_at,
        -- The device's version, which its identifiers and names models compare with their
        -- own (macros/records_to_rebuild.sql); the records union leaves it out.
        count(*) as record_rows,
        max(cast(_dlt_load_id as double)) as record_newest_load
    from events
    where anonymous_id is not null
    group by anonymous_id
)

select * from devices
