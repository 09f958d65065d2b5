{# A Unix time sent as text or a number (chat webhooks: Zalo writes "1733472000000", Messenger
   1733472000000) as a UTC timestamp. Milliseconds by the vendors' documentation; a value of
   eleven digits or fewer is read as seconds, since milliseconds that small would be 1973.
   NULL when it is no whole number (marts.data_issues lists it). #}
{% macro unix_time_text(value) -%}
    {%- set number = dbt.safe_cast(value, dbt.type_bigint()) -%}
    case
        when abs({{ number }}) < 100000000000 then {{ timestamp_from_unix(number) }}
        else {{ timestamp_from_unix(number ~ ' / 1000') }}
    end
{%- endmacro %}
