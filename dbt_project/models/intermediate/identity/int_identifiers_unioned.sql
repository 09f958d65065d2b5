-- Every identifier each record carries: one row per record and identifier, normalized.
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

event_identifiers as (
    select
        anonymous_id as record_id,
        'anonymous_id' as identifier_type,
        anonymous_id as identifier_value,
        occurred_at as seen_at
    from events
    union all
    select
        anonymous_id,
        'user_id',
        user_id,
        occurred_at
    from events
    union all
    select
        anonymous_id,
        'email',
        email_normalized,
        occurred_at
    from events
    union all
    select
        anonymous_id,
        'phone',
        phone_normalized,
        occurred_at
    from events
    union all
    -- An Order Completed event and the Shopify order of the same Name are one order: this is
    -- what ties a browsing device to a buyer.
    select
        anonymous_id,
        'order_id',
        order_id,
        occurred_at
    from events
),

website_identifiers as (
    select
        'website' as source,
        record_id,
        identifier_type,
        identifier_value,
        min(seen_at) as first_seen_at,
        max(seen_at) as last_seen_at
    from event_identifiers
    where record_id is not null and identifier_value is not null
    group by record_id, identifier_type, identifier_value
),

contact_identifiers as (
    select
        contact_id as record_id,
        'crm_contact_id' as identifier_type,
        contact_id as identifier_value,
        created_at as seen_at
    from contacts
    union all
    select
        contact_id,
        'email',
        email_normalized,
        coalesce(modified_at, created_at)
    from contacts
    union all
    select
        contact_id,
        'phone',
        phone_normalized,
        coalesce(modified_at, created_at)
    from contacts
    union all
    select
        contact_id,
        'phone',
        mobile_phone_normalized,
        coalesce(modified_at, created_at)
    from contacts
),

lead_identifiers as (
    select
        lead_id as record_id,
        'lead_id' as identifier_type,
        lead_id as identifier_value,
        created_at as seen_at
    from leads
    union all
    select
        lead_id,
        'email',
        email_normalized,
        created_at
    from leads
    union all
    select
        lead_id,
        'phone',
        phone_normalized,
        created_at
    from leads
),

order_identifiers as (
    select
        order_id as record_id,
        'order_id' as identifier_type,
        order_id as identifier_value,
        ordered_at as seen_at
    from orders
    union all
    select
        order_id,
        'email',
        email_normalized,
        ordered_at
    from orders
    union all
    select
        order_id,
        'phone',
        phone_normalized,
        ordered_at
    from orders
),

other_identifiers as (
    select
        'crm' as source,
        *
    from contact_identifiers
    union all
    select
        'social' as source,
        *
    from lead_identifiers
    union all
    select
        'pos' as source,
        *
    from order_identifiers
),

other_identifiers_grouped as (
    select
        source,
        record_id,
        identifier_type,
        identifier_value,
        min(seen_at) as first_seen_at,
        max(seen_at) as last_seen_at
    from other_identifiers
    where identifier_value is not null
    group by source, record_id, identifier_type, identifier_value
),

unioned as (
    select * from website_identifiers
    union all
    select * from other_identifiers_grouped
)

select
    source || ':' || record_id as record_key,
    source,
    record_id,
    identifier_type,
    identifier_value,
    first_seen_at,
    last_seen_at
from unioned
