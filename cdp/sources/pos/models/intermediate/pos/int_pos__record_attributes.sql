-- What each order says of its buyer, for the golden record.
{{ config(materialized='ephemeral') }}

with

orders as (
    select * from {{ ref('stg_pos__orders') }}
),

attributes as (
    select
        'pos' as source,
        order_id as record_id,
        ordered_at as observed_at,
        billing_name as full_name,
        name_key,
        email_normalized as email,
        email as email_written,
        phone_normalized as phone,
        billing_city as city
    from orders
)

select * from attributes
