-- HubSpot's lifecycle stage of each current contact, as of its last change.
{{ config(materialized='ephemeral') }}

with

contacts as (
    select * from {{ ref('int_crm_contacts_current') }}
),

stages as (
    select
        'crm' as source,
        contact_id as record_id,
        lifecycle_stage,
        modified_at as stated_at
    from contacts
)

select * from stages
