-- The identifiers each website device carried: one row per device and identifier.
{{ config(materialized='ephemeral') }}

with

events as (
    select * from {{ ref('stg_website__events') }}
),

event_identifiers as (
    select
        anonymous_id as record_id,
        'anonymous_id' as identifier_type,
        anonymous_id as identifier_value,
        occurred_at as seen_at
    from events
    union all
    select
        anonymous_id,
        'user_id',
        user_id,
        occurred_at
    from events
    union all
    select
        anonymous_id,
        'email',
        email_normalized,
        occurred_at
    from events
    union all
    select
        anonymous_id,
        'phone',
        phone_normalized,
        occurred_at
    from events
    union all
    -- An Order Completed event and the Shopify order of the same Name are one order: this is
    -- what ties a browsing device to a buyer.
    select
        anonymous_id,
        'order_id',
        order_id,
        occurred_at
    from events
),

device_identifiers as (
    select
        'website' as source,
        record_id,
        identifier_type,
        identifier_value,
        min(seen_at) as first_seen_at,
        max(seen_at) as last_seen_at
    from event_identifiers
    where record_id is not null and identifier_value is not null
    group by record_id, identifier_type, identifier_value
)

select * from device_identifiers
