-- The email exports' values set aside: addresses and phones that are none, times that are no
-- plausible moment or no time at all, messages naming no contact.
{{ config(materialized='ephemeral') }}

with

members as (
    select * from {{ ref('stg_email__mailchimp_members') }}
),

activity as (
    select * from {{ ref('stg_email__mailchimp_activity') }}
),

events as (
    select * from {{ ref('stg_email__events') }}
),

identifier_issues as (
    {{ identifier_issues('email', 'members', 'member_id', [
        ('Email Address', 'email_address', 'email_normalized'),
        ('Phone Number', 'phone_number', 'phone_normalized'),
    ]) }}
    union all
    {{ identifier_issues('email', 'activity', 'email_id', [
        ('email_address', 'email_address', 'email_normalized'),
    ]) }}
    union all
    {{ identifier_issues('email', 'events', 'record_id', [
        ('context.traits.email', 'email_address', 'email_normalized'),
    ]) }}
),

-- Zone-less text times: no time at all, or no plausible moment.
member_time_issues as (
    {{ text_timestamp_issues('email', 'members', 'member_id', [
        ('OPTIN_TIME', 'opted_in_at'), ('CONFIRM_TIME', 'confirmed_at'),
        ('LAST_CHANGED', 'last_changed_at'), ('UNSUB_TIME', 'unsubscribed_at'),
        ('CLEAN_TIME', 'cleaned_at'),
    ], var('email_account_timezone')) }}
),

activity_time_issues as (
    {{ text_timestamp_issues('email', 'activity', 'email_id', [
        ('timestamp', 'occurred_at'),
    ], var('email_account_timezone')) }}
),

event_time_issues as (
    {{ timestamp_issues('email', 'events', 'record_id', [('timestamp', 'occurred_at')]) }}
),

issues as (
    select * from identifier_issues
    union all
    select * from member_time_issues
    union all
    select * from activity_time_issues
    union all
    select * from event_time_issues
)

select * from issues
