-- The identifiers each order carries: one row per order and identifier.
-- Incremental by record: a build reads again only the records whose version changed
-- (macros/records_to_rebuild.sql).
{{ config(materialized='incremental', incremental_strategy='delete+insert',
          unique_key='record_id', post_hook="{{ delete_gone_records() }}") }}

with

{{ records_to_rebuild('pos') }},

orders as (
    select * from {{ ref('stg_pos__orders') }}
    where
        not is_anonymous_sale
        and order_id in (select records_to_rebuild.record_id from records_to_rebuild)
),

order_identifiers as (
    select
        order_id as record_id,
        'order_id' as identifier_type,
        order_id as identifier_value,
        ordered_at as seen_at
    from orders
    union all
    select
        order_id,
        'email',
        email_normalized,
        ordered_at
    from orders
    union all
    select
        order_id,
        'phone',
        phone_normalized,
        ordered_at
    from orders
),

grouped as (
    select
        'pos' as source,
        record_id,
        identifier_type,
        identifier_value,
        min(seen_at) as first_seen_at,
        max(seen_at) as last_seen_at
    from order_identifiers
    where identifier_value is not null
    group by record_id, identifier_type, identifier_value
)

{{ with_record_versions('grouped', 'pos',
                         ['identifier_type', 'identifier_value', 'first_seen_at', 'last_seen_at']) }}
