with

order_lines as (
    -- Every enabled source's order lines (kind `order_lines`).
    {{ union_source_models('order_lines') }}
),

orders as (
    select * from {{ ref('int_orders_attributed') }}
)

select
    order_lines.order_id,
    order_lines.line_position,
    orders.customer_id,
    orders.ordered_at,
    cast({{ to_local_time('orders.ordered_at') }} as date) as ordered_date_local,
    order_lines.sku,
    order_lines.product_name,
    order_lines.quantity,
    order_lines.unit_price,
    order_lines.quantity * order_lines.unit_price as line_amount,
    orders.currency
from order_lines
inner join orders on order_lines.order_id = orders.order_id
