-- Shopify fills order-level columns only on an order's first line: that row is the order.
with

order_lines as (
    select * from {{ ref('stg_pos__order_lines') }}
),

first_lines as (
    select
        order_id,
        shopify_order_id,
        order_source,
        location,
        ordered_at,
        ordered_at_exported,
        paid_at,
        paid_at_exported,
        cancelled_at,
        cancelled_at_exported,
        is_cancelled,
        financial_status,
        fulfillment_status,
        currency,
        subtotal,
        shipping,
        taxes,
        discount_code,
        discount_amount,
        total,
        total_exported,
        refunded_amount,
        refunded_amount_exported,
        accepts_marketing,
        email,
        email_normalized,
        billing_phone,
        phone_normalized,
        billing_name,
        name_key,
        billing_city,
        billing_country,
        _source_file,
        _dlt_load_id,
        -- An erased customer's order, kept as a sale by nobody (`cdp privacy erase`): it
        -- counts in revenue and belongs to no customer.
        starts_with(order_id, 'erased-') as is_anonymous_sale
    from order_lines
    where line_position = 1
)

select * from first_lines
