{# An order-free checksum of a group's rows over `columns`: equal for the same rows in any
   order, different (almost surely) when a row is added, removed or changed. #}
{% macro rows_checksum(columns) -%}
    {{ return(adapter.dispatch('rows_checksum', 'cdp')(columns)) }}
{%- endmacro %}

{% macro default__rows_checksum(columns) -%}
    sum(cast(hash({{ columns | join(', ') }}) as bigint))
{%- endmacro %}

{% macro duckdb__rows_checksum(columns) -%}
    {#- hash() is a 64-bit unsigned integer here: summed as a HUGEINT, it never overflows. #}
    sum(hash({{ columns | join(', ') }}))
{%- endmacro %}
