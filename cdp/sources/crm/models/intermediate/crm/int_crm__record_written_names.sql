-- The name each current CRM contact gives, as written.
{{ config(materialized='ephemeral') }}

with

contacts as (
    select * from {{ ref('int_crm_contacts_current') }}
),

names as (
    select
        'crm' as source,
        contact_id as record_id,
        full_name
    from contacts
)

select * from names
