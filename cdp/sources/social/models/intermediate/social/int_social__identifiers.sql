-- The identifiers each Meta lead carries: one row per lead and identifier.
-- Incremental by record: a build reads again only the records whose version changed
-- (macros/records_to_rebuild.sql).
{{ config(materialized='incremental', incremental_strategy='delete+insert',
          unique_key='record_id', post_hook="{{ delete_gone_records() }}") }}

with

{{ records_to_rebuild('social') }},

leads as (
    select * from {{ ref('stg_social__leads') }}
    where lead_id in (select records_to_rebuild.record_id from records_to_rebuild)
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

{{ with_record_versions('grouped', 'social',
                         ['identifier_type', 'identifier_value', 'first_seen_at', 'last_seen_at']) }}
