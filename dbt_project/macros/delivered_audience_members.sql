{#- What each destination holds of each audience since its last successful delivery, written by
    the delivery assets (cdp/activation/state.py). The table exists once a first delivery is made;
    until then every destination holds nobody. -#}
{% macro delivered_audience_members() -%}
    {%- set relation = adapter.get_relation(
        database=target.database, schema='activation', identifier='delivered_audience_members') -%}
    {%- if relation is not none -%}
        select destination, audience_name, customer_id, email, phone, delivered_at
        from {{ relation }}
    {%- else -%}
        select
            cast(null as varchar) as destination,
            cast(null as varchar) as audience_name,
            cast(null as varchar) as customer_id,
            cast(null as varchar) as email,
            cast(null as varchar) as phone,
            cast(null as timestamp with time zone) as delivered_at
        where false
    {%- endif -%}
{%- endmacro %}


{#- The version of each destination's record of each audience: how many deliveries changed it
    (cdp/activation/state.py); 0 before the first. -#}
{% macro delivery_record_versions() -%}
    {%- set relation = adapter.get_relation(
        database=target.database, schema='activation', identifier='delivery_record_versions') -%}
    {%- if relation is not none -%}
        select destination, audience_name, version from {{ relation }}
    {%- else -%}
        select
            cast(null as varchar) as destination,
            cast(null as varchar) as audience_name,
            cast(null as bigint) as version
        where false
    {%- endif -%}
{%- endmacro %}
