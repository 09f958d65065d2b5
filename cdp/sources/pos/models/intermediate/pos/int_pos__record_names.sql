-- The names orders were placed under, folded.
{{ config(materialized='ephemeral') }}

with

orders as (
    select * from {{ ref('stg_pos__orders') }}
    where not is_anonymous_sale
),

names as (
    select
        'pos' as source,
        order_id as record_id,
        name_key
    from orders
)

select * from names
