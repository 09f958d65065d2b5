with

orders as (
    select * from {{ ref('int_orders_attributed') }}
)

select
    order_id,
    customer_id,
    shopify_order_id,
    order_source,
    location,
    ordered_at,
    {{ to_local_time('ordered_at') }} as ordered_at_local,
    cast({{ to_local_time('ordered_at') }} as date) as ordered_date_local,
    paid_at,
    cancelled_at,
    is_cancelled,
    financial_status,
    fulfillment_status,
    is_refunded,
    currency,
    subtotal,
    shipping,
    taxes,
    discount_amount,
    total,
    refunded_amount,
    net_revenue,
    accepts_marketing,
    email,
    phone,
    line_count,
    items_quantity
from orders
