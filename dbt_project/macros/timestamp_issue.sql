{# Why a timestamp is no plausible moment for its record, or NULL: later than the load that
   stored the record plus `timestamp_future_tolerance_days`, or earlier than
   `timestamp_earliest_plausible`. Judged against the load's own time (dlt's load id), never
   now(), so a rebuild of old loads judges them as their night did. #}
{% macro timestamp_issue(column, load_id='_dlt_load_id') -%}
    {%- set tolerance_days = var('timestamp_future_tolerance_days') -%}
    {%- set earliest = var('timestamp_earliest_plausible') | string -%}
    {%- if tolerance_days is not number or tolerance_days < 0 or tolerance_days != tolerance_days | int -%}
        {{ exceptions.raise_compiler_error(
            "timestamp_future_tolerance_days needs a whole number of days, 0 or more, got "
            ~ tolerance_days) }}
    {%- endif -%}
    {%- if not modules.re.match('^[0-9]{4}-[0-9]{2}-[0-9]{2}$', earliest) -%}
        {{ exceptions.raise_compiler_error(
            "timestamp_earliest_plausible needs a date written YYYY-MM-DD, got " ~ earliest) }}
    {%- endif -%}
    {#- The earliest date as Unix seconds, computed here: a literal that means midnight UTC on
        every warehouse, whatever its session time zone. -#}
    {%- set earliest_seconds = (
        modules.datetime.datetime.strptime(earliest, '%Y-%m-%d')
        - modules.datetime.datetime(1970, 1, 1)
    ).total_seconds() | int -%}
    {%- set latest = dbt.dateadd('day', tolerance_days | int, timestamp_from_unix(load_id)) | trim %}
    (case
        when {{ column }} > {{ latest }}
            then 'in the future: later than its load ({{ load_id }}) plus {{ tolerance_days | int }} days'
        when {{ column }} < {{ timestamp_from_unix(earliest_seconds) }}
            then 'too old: earlier than {{ earliest }}'
    end)
{%- endmacro %}
