{# A timestamp as ISO 8601 text in UTC ("9999-12-30T17:00:00Z", fractions kept), whatever the
   session's time zone: how marts.data_issues shows a timestamp the loader parsed. #}
{% macro timestamp_text(column) -%}
    {{ return(adapter.dispatch('timestamp_text', 'cdp')(column)) }}
{%- endmacro %}

{% macro default__timestamp_text(column) -%}
    {#- DuckDB and PostgreSQL: a timestamp without time zone prints "2099-01-01 10:00:00.12". -#}
    (replace(cast(({{ column }} at time zone 'UTC') as {{ dbt.type_string() }}), ' ', 'T') || 'Z')
{%- endmacro %}

{% macro spark__timestamp_text(column) -%}
    date_format(to_utc_timestamp({{ column }}, current_timezone()), "yyyy-MM-dd'T'HH:mm:ss.SSS'Z'")
{%- endmacro %}
