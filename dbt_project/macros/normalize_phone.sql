{# A phone number in E.164 (+84912345678) however it was written: spaces, dashes, Meta's
   "p:" prefix, a trunk 0, the country code with or without + or 00, or the leading 0 lost by a
   spreadsheet. Numbers without a country code get `default_country_code`. NULL when the
   digits cannot be a phone number there. #}
{% macro normalize_phone(column) -%}
    {%- set country = var('default_country_code') -%}
    {%- set lengths = var('national_number_lengths') -%}
    {%- set with_country, with_trunk_zero = [], [] -%}
    {%- for length in lengths -%}
        {%- do with_country.append(length + country | length) -%}
        {%- do with_trunk_zero.append(length + 1) -%}
    {%- endfor -%}
    {%- set digits = "regexp_replace(" ~ column ~ ", '[^0-9]', '', 'g')" -%}
    {%- set written_with_plus = regex_matches("trim(replace(" ~ column ~ ", 'p:', ''))", "'^\\+'") -%}
    case
        when {{ written_with_plus }} then '+' || {{ digits }}
        when {{ digits }} like '00%' and length({{ digits }}) > {{ lengths | max + 2 }}
            then '+' || substr({{ digits }}, 3)
        when {{ digits }} like '{{ country }}%'
            and length({{ digits }}) in ({{ with_country | join(', ') }})
            then '+' || {{ digits }}
        when {{ digits }} like '0%'
            and length({{ digits }}) in ({{ with_trunk_zero | join(', ') }})
            then '+{{ country }}' || substr({{ digits }}, 2)
        when length({{ digits }}) in ({{ lengths | join(', ') }})
            then '+{{ country }}' || {{ digits }}
    end
{%- endmacro %}
