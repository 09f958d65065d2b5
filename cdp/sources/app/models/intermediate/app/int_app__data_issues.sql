-- The app events' values set aside: identifiers that are none, implausible times.
{{ config(materialized='ephemeral') }}

with

events as (
    select * from {{ ref('stg_app__events') }}
),

identifier_issues as (
    {{ identifier_issues('app', 'events', 'anonymous_id', [
        ('traits.email', 'traits_email', 'email_normalized'),
        ('traits.phone', 'traits_phone', 'phone_normalized'),
    ]) }}
),

timestamp_issues as (
    {{ timestamp_issues('app', 'events', 'anonymous_id', [('timestamp', 'occurred_at')]) }}
),

issues as (
    select * from identifier_issues
    union all
    select * from timestamp_issues
)

select * from issues
