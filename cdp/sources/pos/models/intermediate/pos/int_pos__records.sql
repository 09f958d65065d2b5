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
        cast(_dlt_load_id as double) as first_loaded_at,
        -- The record's version, which its identifiers and names models compare with their
        -- own (macros/records_to_rebuild.sql): one staged row, its load.
        1 as record_rows,
        cast(_dlt_load_id as double) as record_newest_load
    from orders
)

select * from order_records
