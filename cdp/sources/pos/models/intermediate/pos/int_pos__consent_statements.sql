-- Shopify: the checkout's email marketing box, ticked or not, on each order.
{{ config(materialized='ephemeral') }}

with

orders as (
    select * from {{ ref('stg_pos__orders') }}
),

checkout_choices as (
    select
        'pos' as source,
        order_id as record_id,
        'email_marketing' as purpose,
        case when accepts_marketing then 'granted' else 'withdrawn' end as status,
        ordered_at as stated_at,
        {{ timestamp_from_unix('_dlt_load_id') }} as loaded_at,
        'Shopify Accepts Marketing: ' || case when accepts_marketing then 'yes' else 'no' end
            as statement
    from orders
    where accepts_marketing is not null
)

select * from checkout_choices
