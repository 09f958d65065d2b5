{# Every enabled source's model of one kind (records, identifiers, record_attributes, web_events,
   orders, data_issues…: cdp/sources/source.py's UNION_COLUMNS), stacked: the unions read the registry (cdp/sources/registry.py, passed in
   var `cdp_sources`), so a new source joins them from its own folder. The columns and their
   types are the kind's contract (var `cdp_union_columns`); with no source of that kind, an empty
   relation of those columns. #}
{% macro union_source_models(kind) -%}
    {{ return(adapter.dispatch('union_source_models', 'cdp')(kind)) }}
{%- endmacro %}

{% macro default__union_source_models(kind) -%}
    {%- set columns = var('cdp_union_columns', {}).get(kind) -%}
    {%- if columns is none -%}
        {{ exceptions.raise_compiler_error(
            "union_source_models('" ~ kind ~ "'): no var cdp_union_columns." ~ kind ~ "; dbt runs "
            ~ "with the deployment's vars (cdp runs it so; by hand: cdp dbt <dbt arguments>, "
            ~ "e.g. cdp dbt ls)") }}
    {%- endif -%}
    {%- set types = {
        'string': dbt.type_string(), 'timestamp': type_timestamp_utc(), 'float': dbt.type_float(),
        'boolean': dbt.type_boolean(), 'integer': dbt.type_int(), 'bigint': dbt.type_bigint(),
        'json': 'json',
    } -%}
    {%- set models = [] -%}
    {%- for system, declared in var('cdp_sources', {}).items() -%}
        {%- if kind in declared.get('unions', {}) -%}
            {%- do models.append(declared['unions'][kind]) -%}
        {%- endif -%}
    {%- endfor -%}
    {%- if not models %}
    select
        {%- for name, type in columns %}
        cast(null as {{ types.get(type, type) }}) as {{ name }}{{ "," if not loop.last }}
        {%- endfor %}
    where 1 = 0
    {%- endif -%}
    {%- for model in models %}
    select
        {%- for name, type in columns %}
        {{ name }}{{ "," if not loop.last }}
        {%- endfor %}
    from {{ ref(model) }}
    {%- if not loop.last %}
    union all
    {%- endif -%}
    {%- endfor -%}
{%- endmacro %}
