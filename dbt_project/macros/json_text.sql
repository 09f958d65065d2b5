{# A value inside a JSON column as text, by a path of keys: json_text('context', 'page', 'path'). #}
{% macro json_text(column, keys) -%}
    {{ return(adapter.dispatch('json_text', 'cdp')(column, keys)) }}
{%- endmacro %}

{% macro default__json_text(column, keys) -%}
    ({{ column }}::jsonb #>> '{ {{- keys | join(",") -}} }')
{%- endmacro %}

{% macro duckdb__json_text(column, keys) -%}
    json_extract_string({{ column }}, '$.{{ keys | join(".") }}')
{%- endmacro %}
