{# One mailbox, one value: trimmed, lower case, +tags dropped, and dots dropped where the
   provider ignores them (Gmail). NULL when the value is not an email address at all. #}
{% macro normalize_email(column) -%}
    {%- set address = "lower(trim(" ~ column ~ "))" -%}
    {%- set local_part = "split_part(split_part(" ~ address ~ ", '@', 1), '+', 1)" -%}
    {%- set domain = "split_part(" ~ address ~ ", '@', 2)" -%}
    case
        when {{ regex_matches(address, "'^[^@[:space:]]+@[^@[:space:]]+\\.[a-z]{2,}$'") }} then
            case
                when {{ domain }} in (
                    {%- for dotless in var('dotless_email_domains') -%}
                        '{{ dotless }}'{{ ", " if not loop.last }}
                    {%- endfor -%}
                ) then replace({{ local_part }}, '.', '')
                else {{ local_part }}
            end || '@' || {{ domain }}
    end
{%- endmacro %}
