-- A deletion list states that HubSpot deleted a contact, and when if it says so; a row with no
-- date (or an impossible one) is dated by the load that brought it. Latest deletion per contact.
with

source as (
    select * from {{ source('crm', 'deleted_contacts') }}
),

dated as (
    select
        *,
        coalesce(
            {{ plausible_timestamp('deleted_at') }},
            {{ plausible_timestamp('archived_at') }},
            {{ plausible_timestamp('date_deleted') }}
        ) as stated_deleted_at,
        coalesce(deleted_at, archived_at, date_deleted) as stated_deleted_at_exported,
        {{ timestamp_from_unix('_dlt_load_id') }} as deletion_loaded_at
    from source
),

latest_deletions as (
    {%- set newer_first = 'coalesce(stated_deleted_at, deletion_loaded_at) desc' %}
    {{ latest_version('dated', 'record_id', newer_first=newer_first) }}
),

renamed as (
    select
        record_id as contact_id,
        stated_deleted_at as deleted_at,
        stated_deleted_at_exported as deleted_at_exported,
        deletion_loaded_at as loaded_at,
        coalesce(stated_deleted_at, deletion_loaded_at) as deleted_or_loaded_at,
        _source_file,
        _dlt_load_id
    from latest_deletions
)

select * from renamed
