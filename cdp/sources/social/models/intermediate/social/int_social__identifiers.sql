-- The identifiers each Meta lead carries: one row per lead and identifier.
{{ config(materialized='ephemeral') }}

with

leads as (
    select * from {{ ref('stg_social__leads') }}
),

lead_identifiers as (
    select
        lead_id as record_id,
        'lead_id' as identifier_type,
        lead_id as identifier_value,
        created_at as seen_at
    from leads
    union all
    select
        lead_id,
        'email',
        email_normalized,
        created_at
    from leads
    union all
    select
        lead_id,
        'phone',
        phone_normalized,
        created_at
    from leads
),

grouped as (
    select
        'social' as source,
        record_id,
        identifier_type,
        identifier_value,
        min(seen_at) as first_seen_at,
        max(seen_at) as last_seen_at
    from lead_identifiers
    where identifier_value is not null
    group by record_id, identifier_type, identifier_value
)

select * from grouped
