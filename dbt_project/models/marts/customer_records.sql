-- Every source record with its customer, and the name the record gives as written: names are
-- why records on a shared phone or email are one customer or several (`cdp explain` shows it).
with

clustered as (
    select * from {{ ref('int_records_clustered') }}
),

contacts as (
    select * from {{ ref('int_crm_contacts_current') }}
),

leads as (
    select * from {{ ref('stg_social__leads') }}
),

orders as (
    select * from {{ ref('stg_pos__orders') }}
),

events as (
    select * from {{ ref('stg_website__events') }}
),

device_names as (
    -- A device names whoever its latest identify call with a name names.
    select
        anonymous_id,
        {{ nfc('traits_name') }} as full_name,
        row_number() over (
            partition by anonymous_id order by occurred_at desc nulls last, event_id asc
        ) as recency
    from events
    where event_type = 'identify' and nullif(trim(traits_name), '') is not null
),

record_names as (
    select
        'crm' as source,
        contact_id as record_id,
        full_name
    from contacts
    union all
    select
        'social',
        lead_id,
        full_name
    from leads
    union all
    select
        'pos',
        order_id,
        billing_name
    from orders
    union all
    select
        'website',
        anonymous_id,
        full_name
    from device_names
    where recency = 1
),

named as (
    select
        clustered.source,
        clustered.record_id,
        clustered.customer_id,
        clustered.first_seen_at,
        clustered.last_seen_at,
        nullif(trim(regexp_replace(record_names.full_name, '\s+', ' ', 'g')), '') as full_name
    from clustered
    left join record_names
        on
            clustered.source = record_names.source
            and clustered.record_id = record_names.record_id
)

select * from named
