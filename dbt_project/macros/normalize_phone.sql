{# A phone number in E.164 (+84912345678) however it was written: spaces, dashes, Meta's
   "p:" prefix, a trunk 0 (also after the country code: "+84 0912 345 678"), the country code
   with or without + or 00, or the leading 0 lost by a spreadsheet. Numbers without a country
   code get `default_country_code`. NULL when the digits cannot be a phone number: a number of the
   default country must have one of its `national_number_lengths`, any other E.164's 8 to 15
   digits, and every number must be valid for its country by libphonenumber's metadata (seed
   phone_number_patterns, made by identity_resolution/phone_patterns.py): "091234567" is no
   number, never a wrong E.164. A malformed value links nobody and is listed in
   `marts.data_issues`. #}
{% macro normalize_phone(column) -%}
    {%- set country = var('default_country_code') -%}
    {%- set lengths = var('national_number_lengths') -%}
    {%- set with_country, with_trunk_zero, with_country_and_zero = [], [], [] -%}
    {%- for length in lengths -%}
        {%- do with_country.append(length + country | length) -%}
        {%- do with_trunk_zero.append(length + 1) -%}
        {%- do with_country_and_zero.append(length + country | length + 1) -%}
    {%- endfor -%}
    {%- set digits = "regexp_replace(" ~ column ~ ", '[^0-9]', '', 'g')" -%}
    {%- set written_with_plus = regex_matches("trim(replace(" ~ column ~ ", 'p:', ''))", "'^\\+'") -%}
    {%- set candidate -%}
        case
            when
                ({{ written_with_plus }} or {{ digits }} like '{{ country }}%')
                and {{ digits }} like '{{ country }}0%'
                and length({{ digits }}) in ({{ with_country_and_zero | join(', ') }})
                then '+{{ country }}' || substr({{ digits }}, {{ country | length + 2 }})
            when {{ written_with_plus }} then '+' || {{ digits }}
            when {{ digits }} like '00%' and length({{ digits }}) > {{ lengths | max + 2 }}
                then '+' || substr({{ digits }}, 3)
            when {{ digits }} like '{{ country }}%'
                and length({{ digits }}) in ({{ with_country | join(', ') }})
                then '+' || {{ digits }}
            when {{ digits }} like '0%'
                and length({{ digits }}) in ({{ with_trunk_zero | join(', ') }})
                then '+{{ country }}' || substr({{ digits }}, 2)
            when {{ digits }} not like '0%' and length({{ digits }}) in ({{ lengths | join(', ') }})
                then '+{{ country }}' || {{ digits }}
        end
    {%- endset -%}
    {%- set formatted -%}
    case
        when ({{ candidate }}) like '+{{ country }}%'
            then case
                when length({{ candidate }}) - {{ country | length + 1 }} in ({{ lengths | join(', ') }})
                    then {{ candidate }}
            end
        when ({{ candidate }}) not like '+0%' and length({{ candidate }}) between 9 and 16
            then {{ candidate }}
    end
    {%- endset -%}
    case
        when exists (
            select 1
            from {{ ref('phone_number_patterns') }} as phone_patterns
            where
                phone_patterns.calling_code in (
                    substr({{ formatted }}, 2, 1), substr({{ formatted }}, 2, 2),
                    substr({{ formatted }}, 2, 3)
                )
                and {{ regex_matches(
                    "substr(" ~ formatted ~ ", 2 + length(phone_patterns.calling_code))",
                    "'^(?:' || phone_patterns.national_number_pattern || ')$'") }}
        )
            then {{ formatted }}
    end
{%- endmacro %}
