-- The golden record: for each attribute, the most recent non-empty value from the most trusted
-- source (`survivorship_source_order`). Excluded identifiers (a store's phone) and placeholder
-- names ("Khách lẻ") are never chosen.
with

clustered as (
    select * from {{ ref('int_records_clustered') }}
),

contacts as (
    select * from {{ ref('stg_crm__contacts') }}
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

excluded as (
    select * from {{ ref('int_identifiers_excluded') }}
),

observations as (
    select
        'crm' as source,
        contact_id as record_id,
        coalesce(modified_at, created_at) as observed_at,
        full_name,
        name_key,
        email_normalized as email,
        coalesce(mobile_phone_normalized, phone_normalized) as phone,
        city
    from contacts
    union all
    select
        'social',
        lead_id,
        created_at,
        full_name,
        name_key,
        email_normalized,
        phone_normalized,
        null
    from leads
    union all
    select
        'pos',
        order_id,
        ordered_at,
        billing_name,
        name_key,
        email_normalized,
        phone_normalized,
        billing_city
    from orders
    union all
    select
        'website',
        anonymous_id,
        occurred_at,
        {{ nfc('traits_name') }},
        {{ fold_name('traits_name') }},
        email_normalized,
        phone_normalized,
        null
    from events
    where event_type = 'identify'
),

observed_by_customer as (
    select
        clustered.customer_id,
        observations.*
    from observations
    inner join clustered
        on observations.source = clustered.source and observations.record_id = clustered.record_id
),

candidates as (
    -- Names are NFC already (staging); excluded values and placeholder names are no candidates.
    select
        customer_id,
        source,
        observed_at,
        'full_name' as attribute,
        trim(full_name) as value
    from observed_by_customer
    where name_key is not null and not {{ is_placeholder_name('name_key') }}
    union all
    select
        customer_id,
        source,
        observed_at,
        'email',
        email
    from observed_by_customer
    where
        email is not null
        and email not in (
            select excluded.identifier_value from excluded
            where excluded.identifier_type = 'email'
        )
    union all
    select
        customer_id,
        source,
        observed_at,
        'phone',
        phone
    from observed_by_customer
    where
        phone is not null
        and phone not in (
            select excluded.identifier_value from excluded
            where excluded.identifier_type = 'phone'
        )
    union all
    select
        customer_id,
        source,
        observed_at,
        'city',
        trim(city)
    from observed_by_customer
    where nullif(trim(city), '') is not null
),

ranked as (
    select
        *,
        row_number() over (
            partition by customer_id, attribute
            order by
                case source
                    {%- for source in var('survivorship_source_order') %}
                        when '{{ source }}' then {{ loop.index }}
                    {%- endfor %}
                    else 99
                end,
                observed_at desc nulls last,
                value
        ) as trust_rank
    from candidates
),

survived as (
    select
        customer_id,
        max(case when attribute = 'full_name' then value end) as full_name,
        max(case when attribute = 'full_name' then source end) as full_name_source,
        max(case when attribute = 'email' then value end) as email,
        max(case when attribute = 'email' then source end) as email_source,
        max(case when attribute = 'phone' then value end) as phone,
        max(case when attribute = 'phone' then source end) as phone_source,
        max(case when attribute = 'city' then value end) as city,
        max(case when attribute = 'city' then source end) as city_source
    from ranked
    where trust_rank = 1
    group by customer_id
)

select * from survived
