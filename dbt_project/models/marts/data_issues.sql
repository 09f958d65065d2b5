-- Values set aside one by one: an email or phone that is no identifier, an amount that is wrong
-- at the source, a timestamp no real record can carry. The record itself is kept (its other
-- values, its customer); only the value is left out of identity resolution, revenue, and the
-- as-of date and statistics that follow the data's times. One bad value never stops a night; a
-- share of them in one night's load does (the `data_issues_not_systemic` check).
with

contacts as (
    select * from {{ ref('int_crm_contacts_current') }}
),

leads as (
    select * from {{ ref('stg_social__leads') }}
),

orders as (
    select * from {{ ref('stg_pos__orders') }}
),

order_lines as (
    select * from {{ ref('stg_pos__order_lines') }}
),

events as (
    select * from {{ ref('stg_website__events') }}
),

{#- Identifiers that normalize to nothing: (source, relation, record id, column, normalized). #}
{%- set identifier_columns = [
    ('crm', 'contacts', 'contact_id', 'email', 'email_normalized'),
    ('crm', 'contacts', 'contact_id', 'phone_number', 'phone_normalized'),
    ('crm', 'contacts', 'contact_id', 'mobile_phone_number', 'mobile_phone_normalized'),
    ('social', 'leads', 'lead_id', 'email', 'email_normalized'),
    ('social', 'leads', 'lead_id', 'phone_number', 'phone_normalized'),
    ('pos', 'orders', 'order_id', 'email', 'email_normalized'),
    ('pos', 'orders', 'order_id', 'billing_phone', 'phone_normalized'),
    ('website', 'events', 'event_id', 'traits_email', 'email_normalized'),
    ('website', 'events', 'event_id', 'traits_phone', 'phone_normalized'),
] %}

identifier_issues as (
    {%- for source, relation, record_id, column, normalized in identifier_columns %}
        select
            '{{ source }}' as source,
            {{ record_id }} as record_id,
            '{{ column | replace("traits_", "traits.") }}' as column_name,
            {{ column }} as value,
            'not a valid {{ "email address" if "email" in column else "phone number" }}' as reason,
            _source_file,
            _dlt_load_id
        from {{ relation }}
        where nullif(trim({{ column }}), '') is not null and {{ normalized }} is null
        {{- "\n        union all" if not loop.last }}
    {%- endfor %}
),

amount_issues as (
    select
        'pos' as source,
        order_id as record_id,
        'total' as column_name,
        cast(total_exported as varchar) as value,
        'negative amount' as reason,
        _source_file,
        _dlt_load_id
    from orders
    where total_exported < 0
    union all
    select
        'pos',
        order_id,
        'refunded_amount',
        cast(refunded_amount_exported as varchar),
        case
            when refunded_amount_exported < 0 then 'negative amount'
            else 'refund larger than the order total (' || cast(total_exported as varchar) || ')'
        end,
        _source_file,
        _dlt_load_id
    from orders
    where refunded_amount is null and refunded_amount_exported is not null
    union all
    select
        'pos',
        order_id || ' line ' || line_position,
        'lineitem_price',
        cast(unit_price_exported as varchar),
        'negative amount',
        _source_file,
        _dlt_load_id
    from order_lines
    where unit_price_exported < 0
    union all
    select
        'website',
        event_id,
        'properties.revenue',
        order_revenue_exported,
        'unparseable amount',
        _source_file,
        _dlt_load_id
    from events
    where nullif(trim(order_revenue_exported), '') is not null and order_revenue is null
),

{#- Timestamps staging set aside (NULL, macro plausible_timestamp): (source, relation, record id,
    raw column, staging column). POS times are order-level: one row per order. #}
{%- set timestamp_columns = [
    ('crm', 'contacts', 'contact_id', 'create_date', 'created_at'),
    ('crm', 'contacts', 'contact_id', 'last_modified_date', 'modified_at'),
    ('social', 'leads', 'lead_id', 'created_time', 'created_at'),
    ('pos', 'orders', 'order_id', 'created_at', 'ordered_at'),
    ('pos', 'orders', 'order_id', 'paid_at', 'paid_at'),
    ('pos', 'orders', 'order_id', 'cancelled_at', 'cancelled_at'),
    ('website', 'events', 'event_id', 'timestamp', 'occurred_at'),
    ('website', 'events', 'event_id', 'sent_at', 'sent_at'),
    ('website', 'events', 'event_id', 'received_at', 'received_at'),
] %}

timestamp_issues as (
    {%- for source, relation, record_id, column, staged in timestamp_columns %}
        select
            '{{ source }}' as source,
            {{ record_id }} as record_id,
            '{{ column }}' as column_name,
            {{ timestamp_text(staged ~ '_exported') }} as value,
            {{ timestamp_issue(staged ~ '_exported') }} as reason,
            _source_file,
            _dlt_load_id
        from {{ relation }}
        where {{ staged }} is null and {{ staged }}_exported is not null
        {{- "\n        union all" if not loop.last }}
    {%- endfor %}
),

issues as (
    select * from identifier_issues
    union all
    select * from amount_issues
    union all
    select * from timestamp_issues
)

select * from issues
