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

{%- set member_times = [('OPTIN_TIME', 'opted_in_at'), ('CONFIRM_TIME', 'confirmed_at'),
                        ('LAST_CHANGED', 'last_changed_at'), ('UNSUB_TIME', 'unsubscribed_at'),
                        ('CLEAN_TIME', 'cleaned_at')] %}

-- Zone-less text times: either no time at all, or no plausible moment.
text_time_issues as (
    {%- for column, staged in member_times %}
    select
        'email' as source,
        member_id as record_id,
        '{{ column }}' as column_name,
        {{ staged }}_exported as value,
        coalesce(
            {{ timestamp_issue(timestamp_in_zone(staged ~ '_exported', var('email_account_timezone'))) }},
            'unparseable timestamp'
        ) as reason,
        _source_file,
        _dlt_load_id
    from members
    where {{ staged }} is null and nullif(trim({{ staged }}_exported), '') is not null
    union all
    {%- endfor %}
    select
        'email' as source,
        email_id as record_id,
        'timestamp' as column_name,
        occurred_at_exported as value,
        coalesce(
            {{ timestamp_issue(timestamp_in_zone('occurred_at_exported', var('email_account_timezone'))) }},
            'unparseable timestamp'
        ) as reason,
        _source_file,
        _dlt_load_id
    from activity
    where occurred_at is null and nullif(trim(occurred_at_exported), '') is not null
),

event_time_issues as (
    {{ timestamp_issues('email', 'events', 'record_id', [('timestamp', 'occurred_at')]) }}
),

issues as (
    select * from identifier_issues
    union all
    select * from text_time_issues
    union all
    select * from event_time_issues
)

select * from issues
