-- One row per order (every enabled source's, kind `orders`, with its lines, kind `order_lines`)
-- with its customer and line totals; revenue net of refunds.
with

orders as (
    {{ union_source_models('orders') }}
),

order_lines as (
    {{ union_source_models('order_lines') }}
),

clustered as (
    select * from {{ ref('int_records_clustered') }}
),

line_totals as (
    select
        source,
        order_id,
        count(*) as line_count,
        sum(quantity) as items_quantity
    from order_lines
    group by source, order_id
),

attributed as (
    select
        orders.order_id,
        clustered.customer_id,
        orders.shopify_order_id,
        orders.order_source,
        orders.location,
        orders.ordered_at,
        orders.paid_at,
        orders.cancelled_at,
        orders.is_cancelled,
        orders.financial_status,
        orders.fulfillment_status,
        orders.financial_status in ('refunded', 'partially_refunded') as is_refunded,
        orders.currency,
        orders.subtotal,
        orders.shipping,
        orders.taxes,
        orders.discount_amount,
        orders.total,
        orders.refunded_amount,
        orders.total - orders.refunded_amount as net_revenue,
        orders.accepts_marketing,
        orders.email_normalized as email,
        orders.phone_normalized as phone,
        line_totals.line_count,
        line_totals.items_quantity
    from orders
    left join clustered
        on orders.source = clustered.source and orders.order_id = clustered.record_id
    left join line_totals
        on orders.source = line_totals.source and orders.order_id = line_totals.order_id
)

select * from attributed
