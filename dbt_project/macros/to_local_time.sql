{# A UTC timestamp (with time zone) as wall-clock time in `business_timezone`: the day boundaries reports use. #}
{% macro to_local_time(column) -%}
    {{ return(adapter.dispatch('to_local_time', 'cdp')(column)) }}
{%- endmacro %}

{% macro default__to_local_time(column) -%}
    ({{ column }} at time zone '{{ var("business_timezone") }}')
{%- endmacro %}

{% macro duckdb__to_local_time(column) -%}
    {# Needs DuckDB's ICU extension (built into the Python package). #}
    timezone('{{ var("business_timezone") }}', {{ column }})
{%- endmacro %}
