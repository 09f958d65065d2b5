-- The identifiers each website device carried: one row per device and identifier.
-- Incremental by record: a build reads again only the records whose version changed
-- (macros/records_to_rebuild.sql).
{{ config(materialized='incremental', incremental_strategy='delete+insert',
          unique_key='record_id', post_hook="{{ delete_gone_records() }}") }}

with

{{ records_to_rebuild('website') }},

events as (
    select * from {{ ref('stg_website__events') }}
    where anonymous_id in (select records_to_rebuild.record_id from records_to_rebuild)
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

{{ with_record_versions('device_identifiers', 'website',
                         ['identifier_type', 'identifier_value', 'first_seen_at', 'last_seen_at']) }}
