-- The names CRM contacts were given, folded.
-- Incremental by record: a build reads again only the records whose version changed
-- (macros/records_to_rebuild.sql).
{{ config(materialized='incremental', incremental_strategy='delete+insert',
          unique_key='record_id', post_hook="{{ delete_gone_records() }}") }}

with

{{ records_to_rebuild('crm') }},

contacts as (
    select * from {{ ref('int_crm_contacts_current') }}
    where contact_id in (select records_to_rebuild.record_id from records_to_rebuild)
),

names as (
    select
        'crm' as source,
        contact_id as record_id,
        name_key
    from contacts
)

{{ with_record_versions('names', 'crm', ['name_key']) }}
