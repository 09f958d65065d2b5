{# A Unix time in seconds (a number, or text such as dlt's load id "1796473766.4661114") as a
   UTC timestamp: dlt stamps every row with the load that stored it, and its id is that time. #}
{% macro timestamp_from_unix(seconds) -%}
    {{ return(adapter.dispatch('timestamp_from_unix', 'cdp')(seconds)) }}
{%- endmacro %}

{% macro default__timestamp_from_unix(seconds) -%}
    {#- DuckDB and PostgreSQL: to_timestamp(double) is a timestamp with time zone. -#}
    to_timestamp(cast({{ seconds }} as double precision))
{%- endmacro %}

{% macro spark__timestamp_from_unix(seconds) -%}
    timestamp_seconds(cast({{ seconds }} as double))
{%- endmacro %}
