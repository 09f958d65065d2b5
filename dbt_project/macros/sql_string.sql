{# A configured text (an audience's or segment's name, a blocklist entry) as a SQL string
   literal, its quotes doubled. #}
{% macro sql_string(text) -%}
    '{{ text | replace("'", "''") }}'
{%- endmacro %}
