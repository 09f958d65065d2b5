-- The identifiers each order carries: one row per order and identifier.
{{ config(materialized='ephemeral') }}

with

orders as (
    select * from {{ ref('stg_pos__orders') }}
    where not is_anonymous_sale
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

select * from grouped
