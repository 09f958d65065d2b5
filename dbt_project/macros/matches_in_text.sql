{# Every match of a regular expression (`pattern`, a quoted SQL literal) in a text, one row each:
   a set-returning select-list expression, to be the only one of its select (each warehouse
   unrolls matches its own way). #}
{% macro matches_in_text(value, pattern) -%}
    {{ return(adapter.dispatch('matches_in_text', 'cdp')(value, pattern)) }}
{%- endmacro %}

{% macro default__matches_in_text(value, pattern) -%}
    (regexp_matches({{ value }}, {{ pattern }}, 'g'))[1]
{%- endmacro %}

{% macro duckdb__matches_in_text(value, pattern) -%}
    unnest(regexp_extract_all({{ value }}, {{ pattern }}))
{%- endmacro %}

{% macro spark__matches_in_text(value, pattern) -%}
    explode(regexp_extract_all({{ value }}, {{ pattern }}, 0))
{%- endmacro %}
