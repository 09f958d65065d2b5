-- The chat events' values set aside: a phone in Zalo's info form that is none, a time that is
-- no Unix time or no plausible moment.
{{ config(materialized='ephemeral') }}

with

zalo as (
    select * from {{ ref('stg_chat__zalo_events') }}
),

messenger as (
    select * from {{ ref('stg_chat__messenger_events') }}
),

identifier_issues as (
    {{ identifier_issues('chat', 'zalo', 'record_id', [
        ('info.phone', 'submitted_phone', 'submitted_phone_normalized'),
    ]) }}
),

zalo_timestamp_issues as (
    {{ timestamp_issues('chat', 'zalo', 'record_id', [('timestamp', 'occurred_at')]) }}
),

messenger_timestamp_issues as (
    {{ timestamp_issues('chat', 'messenger', 'record_id', [('timestamp', 'occurred_at')]) }}
),

unreadable_times as (
    select
        'chat' as source,
        record_id,
        'timestamp' as column_name,
        timestamp_sent as value,
        'not a Unix time' as reason,
        _source_file,
        _dlt_load_id
    from (
        select
            record_id,
            timestamp_sent,
            occurred_at_exported,
            _source_file,
            _dlt_load_id
        from zalo
        union all
        select
            record_id,
            timestamp_sent,
            occurred_at_exported,
            _source_file,
            _dlt_load_id
        from messenger
    ) as events
    where occurred_at_exported is null
),

issues as (
    select * from identifier_issues
    union all
    select * from zalo_timestamp_issues
    union all
    select * from messenger_timestamp_issues
    union all
    select * from unreadable_times
)

select * from issues
