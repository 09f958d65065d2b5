-- The app's records: each install (Segment anonymousId), as the website's device is.
{{ config(materialized='ephemeral') }}

with

events as (
    select * from {{ ref('stg_app__events') }}
),

installs as (
    select
        'app' as source,
        anonymous_id as record_id,
        min(occurred_at) as first_seen_at,
        max(occurred_at) as last_seen_at,
        min(cast(_dlt_load_id as double)) as first_loaded_at
    from events
    where anonymous_id is not null
    group by anonymous_id
)

select * from installs
