{# An email as written, without what wraps it: surrounding white space and quotes (straight,
   curly, backtick, and the no-break space), a display name and angle brackets (`"An" <an@x.vn>`,
   `<an@x.vn>`), and a `mailto:` in any case with its `?subject=...`. Case is kept: callers lower
   it. The same rule, step for step, is `unwrapped_email` in cdp/core/identifiers.py: the models
   key emails with this macro, and ingestion and erasure key them in Python (the suppression
   list of erased people) where no model runs; tests/privacy/test_email_keys.py holds both to the
   same examples. #}
{% macro unwrap_email(column) -%}
    {#- [[:space:]] is ASCII white space in DuckDB and PostgreSQL alike; the no-break space is
        written as itself, last in the brackets. -#}
    {%- set edge = "[[:space:]\"''`“”‘’ ]" -%}
    {%- set trimmed = "'^" ~ edge ~ "+|" ~ edge ~ "+$', '', 'g'" -%}
    regexp_replace(
        regexp_replace(
            regexp_replace(
                regexp_replace(regexp_replace({{ column }}, {{ trimmed }}), '^[^<>]*<([^<>]*)>$', '\1'),
                {{ trimmed }}
            ),
            '^mailto:([^?]*)(\?.*)?$', '\1', 'i'
        ),
        {{ trimmed }}
    )
{%- endmacro %}
