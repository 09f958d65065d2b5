-- The names each record was given, as folded matching keys, and whether the name can tell
-- people apart: not a placeholder ("Khách lẻ") and at least two words ("Anh", "Chị" or
-- "Khách" alone name nobody). Evidence of whether an identifier is used by one person or several.
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

names as (
    select
        'website' as source,
        anonymous_id as record_id,
        {{ fold_name('traits_name') }} as name_key
    from events
    where event_type = 'identify'
    union all
    select
        'crm',
        contact_id,
        name_key
    from contacts
    union all
    select
        'social',
        lead_id,
        name_key
    from leads
    union all
    select
        'pos',
        order_id,
        name_key
    from orders
),

cleaned as (
    select distinct
        source || ':' || record_id as record_key,
        {{ name_words('name_key') }} as name_key
    from names
)

select
    record_key,
    name_key,
    {{ is_placeholder_name('name_key') }} as is_placeholder,
    {{ is_usable_name('name_key') }} as is_usable
from cleaned
where name_key is not null
