-- Social's records: each Meta lead form submission.
{{ config(materialized='ephemeral') }}

with

leads as (
    select * from {{ ref('stg_social__leads') }}
),

lead_records as (
    select
        'social' as source,
        lead_id as record_id,
        created_at as first_seen_at,
        created_at as last_seen_at,
        cast(_dlt_load_id as double) as first_loaded_at
    from leads
)

select * from lead_records
