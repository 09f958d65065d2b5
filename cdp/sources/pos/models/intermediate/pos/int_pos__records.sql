-- The POS's records: each order, but an erased buyer's (an anonymous sale) names nobody.
{{ config(materialized='ephemeral') }}

with

orders as (
    select * from {{ ref('stg_pos__orders') }}
    where not is_anonymous_sale
),

order_records as (
    select
        'pos' as source,
        order_id as record_id,
        ordered_at as first_seen_at,
        ordered_at as last_seen_at,
        cast(_dlt_load_id as double) as first_loaded_at
    from orders
)

select * from order_records
