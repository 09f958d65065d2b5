{# The type of an instant (every `*_at` column the models keep in UTC): DuckDB's timestamp with
   time zone, which the staging models produce; elsewhere the engine's own timestamp (Spark's
   is an instant already). An empty union of a kind no source provides types its columns so. #}
{% macro type_timestamp_utc() -%}
    {{ return(adapter.dispatch('type_timestamp_utc', 'cdp')()) }}
{%- endmacro %}

{% macro default__type_timestamp_utc() -%}
    {{ return(dbt.type_timestamp()) }}
{%- endmacro %}

{% macro duckdb__type_timestamp_utc() -%}
    {{ return('timestamptz') }}
{%- endmacro %}
