{# A phone number in E.164 (+84912345678) however it was written: spaces, dashes, Meta's
   "p:" prefix, a trunk 0, the country code with or without +, or the leading 0 lost by a
   spreadsheet. Numbers without a country code get `default_country_code`. NULL when the
   digits cannot be a phone number. #}
{% macro normalize_phone(column) -%}
    {%- set country = var('default_country_code') -%}
    {%- set national_length = var('national_number_length') -%}
    {%- set digits = "regexp_replace(" ~ column ~ ", '[^0-9]', '', 'g')" -%}
    {%- set written_with_plus = cdp.regex_matches("trim(replace(" ~ column ~ ", 'p:', ''))", '^\\+') -%}
    case
        when {{ written_with_plus }} then '+' || {{ digits }}
        when {{ digits }} like '00%' then '+' || substr({{ digits }}, 3)
        when {{ digits }} like '{{ country }}%'
            and length({{ digits }}) = {{ country | length + national_length }}
            then '+' || {{ digits }}
        when {{ digits }} like '0%' and length({{ digits }}) = {{ national_length + 1 }}
            then '+{{ country }}' || substr({{ digits }}, 2)
        when length({{ digits }}) = {{ national_length }} then '+{{ country }}' || {{ digits }}
    end
{%- endmacro %}

{# E.164 allows at most 15 digits after the +; fewer than 8 is no subscriber number. #}
{% macro is_e164(column) -%}
    {{ cdp.regex_matches(column, '^\+[1-9][0-9]{7,14}$') }}
{%- endmacro %}
