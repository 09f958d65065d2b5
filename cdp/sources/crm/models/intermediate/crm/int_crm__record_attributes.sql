-- What each current CRM contact says of its person, for the golden record.
{{ config(materialized='ephemeral') }}

with

contacts as (
    select * from {{ ref('int_crm_contacts_current') }}
),

attributes as (
    select
        'crm' as source,
        contact_id as record_id,
        coalesce(modified_at, created_at) as observed_at,
        full_name,
        name_key,
        email_normalized as email,
        email as email_written,
        coalesce(mobile_phone_normalized, phone_normalized) as phone,
        city
    from contacts
)

select * from attributes
