with

orders as (
    select * from {{ ref('int_orders_attributed') }}
)

select * from orders
