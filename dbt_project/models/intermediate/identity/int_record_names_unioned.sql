-- The names each record was given, as folded matching keys, and whether the name is a
-- placeholder ("Khách lẻ"): evidence of whether an identifier is used by one person or several.
with

events as (
    select * from {{ ref('stg_website__events') }}
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
)

select distinct
    source || ':' || record_id as record_key,
    name_key,
    name_key in (
        {%- for name in var('placeholder_names') -%}
            '{{ name }}'{{ ", " if not loop.last }}
        {%- endfor -%}
    ) as is_placeholder
from names
where name_key is not null
