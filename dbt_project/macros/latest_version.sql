{# The newest version of each record in a raw table (raw tables keep every version). Newest
   means `newer_first` when given (e.g. the source's own modified date), then the latest dlt
   load, then the later file of that load: files of one load are read in name order, and
   exports carry their date in their name. #}
{% macro latest_version(relation, key, newer_first=none) -%}
    select *
    from (
        select
            *,
            row_number() over (
                partition by {{ key }}
                order by
                    {%- if newer_first %} {{ newer_first }},{% endif %}
                    cast(_dlt_load_id as double) desc,
                    _source_file desc
            ) as version_rank
        from {{ relation }}
    ) as ranked
    where version_rank = 1
{%- endmacro %}
