-- The orders' values set aside: identifiers that are none, wrong amounts, implausible times
-- (order-level times: one row per order).
{{ config(materialized='ephemeral') }}

with

orders as (
    select * from {{ ref('stg_pos__orders') }}
),

order_lines as (
    select * from {{ ref('stg_pos__order_lines') }}
),

identifier_issues as (
    {{ identifier_issues('pos', 'orders', 'order_id', [
        ('email', 'email', 'email_normalized'),
        ('billing_phone', 'billing_phone', 'phone_normalized'),
    ]) }}
),

amount_issues as (
    select
        'pos' as source,
        order_id as record_id,
        'total' as column_name,
        cast(total_exported as varchar) as value,
        'negative amount' as reason,
        _source_file,
        _dlt_load_id
    from orders
    where total_exported < 0
    union all
    select
        'pos',
        order_id,
        'refunded_amount',
        cast(refunded_amount_exported as varchar),
        case
            when refunded_amount_exported < 0 then 'negative amount'
            else 'refund larger than the order total (' || cast(total_exported as varchar) || ')'
        end,
        _source_file,
        _dlt_load_id
    from orders
    where refunded_amount is null and refunded_amount_exported is not null
    union all
    select
        'pos',
        order_id || ' line ' || line_position,
        'lineitem_price',
        cast(unit_price_exported as varchar),
        'negative amount',
        _source_file,
        _dlt_load_id
    from order_lines
    where unit_price_exported < 0
),

timestamp_issues as (
    {{ timestamp_issues('pos', 'orders', 'order_id', [
        ('created_at', 'ordered_at'),
        ('paid_at', 'paid_at'),
        ('cancelled_at', 'cancelled_at'),
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
