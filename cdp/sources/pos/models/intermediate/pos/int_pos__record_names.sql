-- The names orders were placed under, folded.
-- Incremental by record: a build reads again only the records whose version changed
-- (macros/records_to_rebuild.sql).
{{ config(materialized='incremental', incremental_strategy='delete+insert',
          unique_key='record_id', post_hook="{{ delete_gone_records() }}") }}

with

{{ records_to_rebuild('pos') }},

orders as (
    select * from {{ ref('stg_pos__orders') }}
    where
        not is_anonymous_sale
        and order_id in (select records_to_rebuild.record_id from records_to_rebuild)
),

names as (
    select
        'pos' as source,
        order_id as record_id,
        name_key
    from orders
)

{{ with_record_versions('names', 'pos', ['name_key']) }}
