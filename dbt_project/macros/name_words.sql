{# A folded name key (`fold_name`) with punctuation taken out and single spaces: the words a
   name is compared by. "nguyen v. an" -> "nguyen v an"; "." -> null. #}
{% macro name_words(name_key) -%}
    nullif(trim(regexp_replace(regexp_replace({{ name_key }}, '[[:punct:]]', ' ', 'g'), '\s+', ' ', 'g')), '')
{%- endmacro %}

{# Whether a folded name can tell people apart: not one of `placeholder_names` ("Khách lẻ"),
   and at least two words ("Anh", "Chị" or "Khách" alone name nobody). #}
{% macro is_usable_name(name_key) -%}
    coalesce({{ name_words(name_key) }} like '% %' and not {{ is_placeholder_name(name_key) }}, false)
{%- endmacro %}

{% macro is_placeholder_name(name_key) -%}
    coalesce({{ name_words(name_key) }} in (
        {%- for name in var('placeholder_names') -%}
            '{{ name }}'{{ ", " if not loop.last }}
        {%- endfor -%}
    ), false)
{%- endmacro %}
