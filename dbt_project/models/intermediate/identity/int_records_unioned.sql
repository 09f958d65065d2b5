-- Every source record that can belong to a customer, with when it was first seen and loaded.
with

events as (
    select * from {{ ref('stg_website__events') }}
),

contacts as (
    select * from {{ ref('int_crm_contacts_current') }}
),

leads as (
    select * from {{ ref('stg_social__leads') }}
),

orders as (
    select * from {{ ref('stg_pos__orders') }}
    where not is_anonymous_sale
),

devices as (
    select
        'website' as source,
        anonymous_id as record_id,
        min(occurred_at) as first_seen_at,
        max(occurred_at) as last_seen_at,
        min(cast(_dlt_load_id as double)) as first_loaded_at
    from events
    where anonymous_id is not null
    group by anonymous_id
),

contact_records as (
    select
        'crm' as source,
        contact_id as record_id,
        created_at as first_seen_at,
        coalesce(modified_at, created_at) as last_seen_at,
        cast(_dlt_load_id as double) as first_loaded_at
    from contacts
),

lead_records as (
    select
        'social' as source,
        lead_id as record_id,
        created_at as first_seen_at,
        created_at as last_seen_at,
        cast(_dlt_load_id as double) as first_loaded_at
    from leads
),

order_records as (
    select
        'pos' as source,
        order_id as record_id,
        ordered_at as first_seen_at,
        ordered_at as last_seen_at,
        cast(_dlt_load_id as double) as first_loaded_at
    from orders
),

unioned as (
    select * from devices
    union all
    select * from contact_records
    union all
    select * from lead_records
    union all
    select * from order_records
),

numbered as (
    select
        source || ':' || record_id as record_key,
        source,
        record_id,
        first_seen_at,
        last_seen_at,
        first_loaded_at,
        -- Dense integer ids for the graph algorithms, in a stable order.
        row_number() over (order by source, record_id) - 1 as record_node
    from unioned
)

select * from numbered
