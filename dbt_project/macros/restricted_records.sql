{#- Records under a processing restriction (`cdp privacy restrict`), copied into the warehouse
    from the privacy store. The table exists once a first restriction is made; until then no
    record is restricted. -#}
{% macro restricted_records() -%}
    {%- set relation = adapter.get_relation(
        database=target.database, schema='privacy', identifier='restricted_records') -%}
    {%- if relation is not none -%}
        select record_key, request_id, restricted_at from {{ relation }}
    {%- else -%}
        select
            cast(null as varchar) as record_key,
            cast(null as varchar) as request_id,
            cast(null as timestamp with time zone) as restricted_at
        where false
    {%- endif -%}
{%- endmacro %}
