-- Shopify's line items.
{{ config(materialized='ephemeral') }}

with

order_lines as (
    select * from {{ ref('stg_pos__order_lines') }}
),

lines as (
    select
        'pos' as source,
        order_id,
        line_position,
        sku,
        product_name,
        quantity,
        unit_price
    from order_lines
)

select * from lines
