-- The CRM contacts' values set aside: identifiers that are none, implausible times.
{{ config(materialized='ephemeral') }}

with

contacts as (
    select * from {{ ref('int_crm_contacts_current') }}
),

identifier_issues as (
    {{ identifier_issues('crm', 'contacts', 'contact_id', [
        ('email', 'email', 'email_normalized'),
        ('phone_number', 'phone_number', 'phone_normalized'),
        ('mobile_phone_number', 'mobile_phone_number', 'mobile_phone_normalized'),
    ]) }}
),

timestamp_issues as (
    {{ timestamp_issues('crm', 'contacts', 'contact_id', [
        ('create_date', 'created_at'),
        ('last_modified_date', 'modified_at'),
    ]) }}
),

issues as (
    select * from identifier_issues
    union all
    select * from timestamp_issues
)

select * from issues
