{# A timestamp written as text, as an instant: text that names its zone (`Z`, `+07:00`) keeps it;
   text with none (Mailchimp's "2026-11-22 10:00:00") is a wall-clock time in `zone`. NULL when
   the text is no timestamp at all (staging lists it in marts.data_issues). #}
{% macro timestamp_in_zone(text, zone) -%}
    {{ return(adapter.dispatch('timestamp_in_zone', 'cdp')(text, zone)) }}
{%- endmacro %}

{% macro zone_suffix_pattern() -%}
    '[T ][0-9]{2}:[0-9]{2}(:[0-9]{2}([.][0-9]+)?)? ?(Z|z|[+-][0-9]{2}(:?[0-9]{2})?)$'
{%- endmacro %}

{% macro default__timestamp_in_zone(text, zone) -%}
    (case
        when {{ regex_matches('trim(' ~ text ~ ')', zone_suffix_pattern()) }}
            then cast(trim({{ text }}) as {{ type_timestamp_utc() }})
        else (cast(nullif(trim({{ text }}), '') as {{ dbt.type_timestamp() }}) at time zone '{{ zone }}')
    end)
{%- endmacro %}

{% macro duckdb__timestamp_in_zone(text, zone) -%}
    (case
        when regexp_matches(trim({{ text }}), {{ zone_suffix_pattern() }})
            then try_cast(trim({{ text }}) as timestamptz)
        else timezone('{{ zone }}', try_cast(nullif(trim({{ text }}), '') as timestamp))
    end)
{%- endmacro %}

{% macro spark__timestamp_in_zone(text, zone) -%}
    (case
        when {{ regex_matches('trim(' ~ text ~ ')', zone_suffix_pattern()) }}
            then to_timestamp(trim({{ text }}))
        else to_utc_timestamp(to_timestamp(nullif(trim({{ text }}), '')), '{{ zone }}')
    end)
{%- endmacro %}
