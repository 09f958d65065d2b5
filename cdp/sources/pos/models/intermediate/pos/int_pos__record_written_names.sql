-- The name each order gives, as written: its billing name.
{{ config(materialized='ephemeral') }}

with

orders as (
    select * from {{ ref('stg_pos__orders') }}
),

names as (
    select
        'pos' as source,
        order_id as record_id,
        billing_name as full_name
    from orders
)

select * from names
