-- The identifiers each current CRM contact carries: one row per contact and identifier.
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

contact_identifiers as (
    select
        contact_id as record_id,
        'crm_contact_id' as identifier_type,
        contact_id as identifier_value,
        created_at as seen_at
    from contacts
    union all
    select
        contact_id,
        'email',
        email_normalized,
        coalesce(modified_at, created_at)
    from contacts
    union all
    select
        contact_id,
        'phone',
        phone_normalized,
        coalesce(modified_at, created_at)
    from contacts
    union all
    select
        contact_id,
        'phone',
        mobile_phone_normalized,
        coalesce(modified_at, created_at)
    from contacts
),

grouped as (
    select
        'crm' as source,
        record_id,
        identifier_type,
        identifier_value,
        min(seen_at) as first_seen_at,
        max(seen_at) as last_seen_at
    from contact_identifiers
    where identifier_value is not null
    group by record_id, identifier_type, identifier_value
)

{{ with_record_versions('grouped', 'crm',
                         ['identifier_type', 'identifier_value', 'first_seen_at', 'last_seen_at']) }}
