{# One mailbox, one value: unwrapped (macro unwrap_email: `mailto:`, `"Name" <...>`, quotes),
   lower case, +tags dropped, and dots dropped where the provider ignores them (Gmail). NULL when
   the value is not an email address, before or after folding (`...@gmail.com` folds to nothing
   before the @): a malformed value links nobody and is listed in `marts.data_issues` instead.
   Python keys emails by the same rule (`email_key` in cdp/core/identifiers.py) where no model
   runs: at ingestion and erasure, for the suppression list of erased people. #}
{% macro normalize_email(column) -%}
    {%- set pattern = "'^[^@[:space:]]+@[^@[:space:]]+\\.[a-z]{2,}$'" -%}
    {%- set address = "lower(" ~ unwrap_email(column) ~ ")" -%}
    {%- set local_part = "split_part(split_part(" ~ address ~ ", '@', 1), '+', 1)" -%}
    {%- set domain = "split_part(" ~ address ~ ", '@', 2)" -%}
    {%- set folded -%}
        case
            when {{ domain }} in (
                {%- for dotless in var('dotless_email_domains') -%}
                    '{{ dotless }}'{{ ", " if not loop.last }}
                {%- endfor -%}
            ) then replace({{ local_part }}, '.', '')
            else {{ local_part }}
        end || '@' || {{ domain }}
    {%- endset -%}
    case
        when {{ regex_matches(address, pattern) }} and {{ regex_matches(folded, pattern) }}
            then {{ folded }}
    end
{%- endmacro %}
