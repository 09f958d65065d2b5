{# A group's distinct non-NULL values of `column`, sorted, joined by `separator`: "crm, pos";
   NULL when it has none. #}
{% macro distinct_values_text(column, separator) -%}
    {{ return(adapter.dispatch('distinct_values_text', 'cdp')(column, separator)) }}
{%- endmacro %}

{% macro default__distinct_values_text(column, separator) -%}
    string_agg(distinct {{ column }}, '{{ separator }}' order by {{ column }})
{%- endmacro %}

{% macro duckdb__distinct_values_text(column, separator) -%}
    {#- A list sorted once per group: three times faster than string_agg(distinct … order by)
        over a million customers' records. #}
    case
        when count({{ column }}) > 0
            then array_to_string(list_sort(list_distinct(list({{ column }}))), '{{ separator }}')
    end
{%- endmacro %}

{% macro spark__distinct_values_text(column, separator) -%}
    case
        when count({{ column }}) > 0
            then array_join(array_sort(collect_set({{ column }})), '{{ separator }}')
    end
{%- endmacro %}
