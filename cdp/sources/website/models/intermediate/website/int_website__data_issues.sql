-- The website events' values set aside: identifiers that are none, revenue that does not
-- parse, implausible times.
{{ config(materialized='ephemeral') }}

with

events as (
    select * from {{ ref('stg_website__events') }}
),

identifier_issues as (
    {{ identifier_issues('website', 'events', 'event_id', [
        ('traits.email', 'traits_email', 'email_normalized'),
        ('traits.phone', 'traits_phone', 'phone_normalized'),
    ]) }}
),

amount_issues as (
    select
        'website' as source,
        event_id as record_id,
        'properties.revenue' as column_name,
        order_revenue_exported as value,
        'unparseable amount' as reason,
        _source_file,
        _dlt_load_id
    from events
    where nullif(trim(order_revenue_exported), '') is not null and order_revenue is null
),

timestamp_issues as (
    {{ timestamp_issues('website', 'events', 'event_id', [
        ('timestamp', 'occurred_at'),
        ('sent_at', 'sent_at'),
        ('received_at', 'received_at'),
    ]) }}
),

issues as (
    select * from identifier_issues
    union all
    select * from amount_issues
    union all
    select * from timestamp_issues
)

select * from issues
