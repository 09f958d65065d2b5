-- Shopify's orders, for the orders every source's shop adds to.
{{ config(materialized='ephemeral') }}

with

orders as (
    select * from {{ ref('stg_pos__orders') }}
),

shop_orders as (
    select
        'pos' as source,
        order_id,
        shopify_order_id,
        order_source,
        location,
        ordered_at,
        paid_at,
        cancelled_at,
        is_cancelled,
        financial_status,
        fulfillment_status,
        currency,
        subtotal,
        shipping,
        taxes,
        discount_amount,
        total,
        refunded_amount,
        accepts_marketing,
        email_normalized,
        phone_normalized
    from orders
)

select * from shop_orders
