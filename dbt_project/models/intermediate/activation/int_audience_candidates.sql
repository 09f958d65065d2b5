-- Every customer each declared audience's condition selects (`vars: audiences`), with what
-- decides whether they may be delivered: their consent to the audience's purpose and whether
-- their processing is restricted.
{%- set audiences = declared_audiences() %}
with

customers as (
    select * from {{ ref('customers') }}
),

candidates as (
    {%- for audience in audiences %}
        select
            {{ sql_string(audience.name) }} as audience_name,
            '{{ audience.consent_purpose }}' as consent_purpose,
            customer_id,
            consent_{{ audience.consent_purpose }} as consent_status,
            is_processing_restricted
        from customers
        where {{ audience.condition }}
        {{- "\n        union all" if not loop.last }}
    {%- else %}
        select
            cast(null as varchar) as audience_name,
            cast(null as varchar) as consent_purpose,
            customer_id,
            cast(null as varchar) as consent_status,
            is_processing_restricted
        from customers
        where false
    {%- endfor %}
)

select * from candidates
