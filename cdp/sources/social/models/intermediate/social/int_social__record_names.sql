-- The names Meta leads were given, folded.
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

names as (
    select
        'social' as source,
        lead_id as record_id,
        name_key
    from leads
)

{{ with_record_versions('names', 'social', ['name_key']) }}
