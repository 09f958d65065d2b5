{# A source's emails and phones that normalize to nothing, as marts.data_issues rows: one select
   per (raw column name, staged column, normalized column), stacked; `relation` is a CTE. #}
{% macro identifier_issues(source, relation, record_id, columns) -%}
    {%- for column_name, column, normalized in columns %}
    select
        '{{ source }}' as source,
        {{ record_id }} as record_id,
        '{{ column_name }}' as column_name,
        {{ column }} as value,
        'not a valid {{ "email address" if "email" in column else "phone number" }}' as reason,
        _source_file,
        _dlt_load_id
    from {{ relation }}
    where nullif(trim({{ column }}), '') is not null and {{ normalized }} is null
    {{- "\n    union all" if not loop.last }}
    {%- endfor %}
{%- endmacro %}
