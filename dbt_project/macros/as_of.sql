{#- "Today" for recency, lifecycle and predictions, as one row `as_of_at`: `vars: as_of_date`,
    or the newest `column` of `relation` (so a rerun on the same data gives the same answer).
    Staging has already set every implausible timestamp to NULL (macro plausible_timestamp), so
    one record dated 9999-12-31 cannot carry "today" with it. -#}
{% macro as_of(relation, column) -%}
    {%- if var('as_of_date') %}
        select cast('{{ var("as_of_date") }}' as timestamp with time zone) as as_of_at
    {%- else %}
        select max({{ column }}) as as_of_at
        from {{ relation }}
    {%- endif %}
{%- endmacro %}
