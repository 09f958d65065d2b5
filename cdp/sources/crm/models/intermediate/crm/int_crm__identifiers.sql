-- The identifiers each current CRM contact carries: one row per contact and identifier.
{{ config(materialized='ephemeral') }}

with

contacts as (
    select * from {{ ref('int_crm_contacts_current') }}
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

select * from grouped
