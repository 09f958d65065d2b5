-- The names website devices were given: the traits of identify calls, folded.
-- Incremental by record: a build reads again only the records whose version changed
-- (macros/records_to_rebuild.sql).
{{ config(materialized='incremental', incremental_strategy='delete+insert',
          unique_key='record_id', post_hook="{{ delete_gone_records() }}") }}

with

{{ records_to_rebuild('website') }},

events as (
    select * from {{ ref('stg_website__events') }}
    where anonymous_id in (select records_to_rebuild.record_id from records_to_rebuild)
),

names as (
    select
        'website' as source,
        anonymous_id as record_id,
        {{ fold_name('traits_name') }} as name_key
    from events
    where event_type = 'identify'
)

{{ with_record_versions('names', 'website', ['name_key']) }}
