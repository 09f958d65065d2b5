-- The names CRM contacts were given, folded.
{{ config(materialized='ephemeral') }}

with

contacts as (
    select * from {{ ref('int_crm_contacts_current') }}
),

names as (
    select
        'crm' as source,
        contact_id as record_id,
        name_key
    from contacts
)

select * from names
