-- HubSpot's deletion lists: each contact deleted, with its latest version's date
-- (int_records_retired decides which statement is newer).
{{ config(materialized='ephemeral') }}

with

contacts as (
    select * from {{ ref('stg_crm__contacts') }}
),

deleted_contacts as (
    select * from {{ ref('stg_crm__deleted_contacts') }}
),

contact_deletions as (
    select
        'crm' as source,
        deleted_contacts.contact_id as record_id,
        deleted_contacts.deleted_or_loaded_at as retired_at,
        deleted_contacts.deleted_at,
        deleted_contacts._source_file as source_file,
        contacts.contact_id is not null as has_raw_versions,
        -- The latest version's own date, else the load that stored it.
        coalesce(
            contacts.modified_at, {{ timestamp_from_unix('contacts._dlt_load_id') }}
        ) as last_version_at
    from deleted_contacts
    left join contacts on deleted_contacts.contact_id = contacts.contact_id
)

select * from contact_deletions
