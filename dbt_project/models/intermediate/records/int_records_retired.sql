-- A deletion list is the newest statement about a record unless the record has a newer version:
-- a contact deleted in HubSpot is retired from identity resolution, the golden record and
-- consent (its raw versions stay, as history); one restored in HubSpot, exported again with a
-- later Last Modified Date, comes back. A record missing from a later export is no deletion:
-- exports may be partial or filtered, so absence proves nothing.
-- Another system gets deletion lists with one more union here (and its deletion spec).
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
),

retired as (
    -- A deletion as new as the latest version wins: it is the newer statement.
    select *
    from contact_deletions
    where last_version_at is null or retired_at >= last_version_at
)

select * from retired
