{# A source's timestamps staging set aside (NULL, macro plausible_timestamp), as marts.data_issues
   rows: one select per (raw column, staged column; the value as exported in
   `<staged>_exported`), stacked; `relation` is a CTE. #}
{% macro timestamp_issues(source, relation, record_id, columns) -%}
    {%- for column, staged in columns %}
    select
        '{{ source }}' as source,
        {{ record_id }} as record_id,
        '{{ column }}' as column_name,
        {{ timestamp_text(staged ~ '_exported') }} as value,
        {{ timestamp_issue(staged ~ '_exported') }} as reason,
        _source_file,
        _dlt_load_id
    from {{ relation }}
    where {{ staged }} is null and {{ staged }}_exported is not null
    {{- "\n    union all" if not loop.last }}
    {%- endfor %}
{%- endmacro %}

{# The same for times the loader keeps as written (Mailchimp's zone-less text, read in staging
   with macro timestamp_in_zone): one select per (raw column, staged column; the text as
   exported in `<staged>_exported`), a value staging could not read or placed nowhere
   plausible. #}
{% macro text_timestamp_issues(source, relation, record_id, columns, zone) -%}
    {%- for column, staged in columns %}
    select
        '{{ source }}' as source,
        {{ record_id }} as record_id,
        '{{ column }}' as column_name,
        {{ staged }}_exported as value,
        coalesce(
            {{ timestamp_issue(timestamp_in_zone(staged ~ '_exported', zone)) }},
            'unparseable timestamp'
        ) as reason,
        _source_file,
        _dlt_load_id
    from {{ relation }}
    where {{ staged }} is null and nullif(trim({{ staged }}_exported), '') is not null
    {{- "\n    union all" if not loop.last }}
    {%- endfor %}
{%- endmacro %}
