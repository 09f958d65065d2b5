-- The CRM's records: its current contacts (int_crm_contacts_current).
{{ config(materialized='ephemeral') }}

with

contacts as (
    select * from {{ ref('int_crm_contacts_current') }}
),

contact_records as (
    select
        'crm' as source,
        contact_id as record_id,
        created_at as first_seen_at,
        coalesce(modified_at, created_at) as last_seen_at,
        cast(_dlt_load_id as double) as first_loaded_at
    from contacts
)

select * from contact_records
