-- The leads' values set aside: identifiers that are none, implausible times.
{{ config(materialized='ephemeral') }}

with

leads as (
    select * from {{ ref('stg_social__leads') }}
),

identifier_issues as (
    {{ identifier_issues('social', 'leads', 'lead_id', [
        ('email', 'email', 'email_normalized'),
        ('phone_number', 'phone_number', 'phone_normalized'),
    ]) }}
),

timestamp_issues as (
    {{ timestamp_issues('social', 'leads', 'lead_id', [('created_time', 'created_at')]) }}
),

issues as (
    select * from identifier_issues
    union all
    select * from timestamp_issues
)

select * from issues
