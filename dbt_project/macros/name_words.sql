{# A folded name key (`fold_name`) with punctuation taken out and single spaces: the words a
   name is compared by. "nguyen v. an" -> "nguyen v an"; "." -> null. #}
{% macro name_words(name_key) -%}
    nullif(trim(regexp_replace(regexp_replace({{ name_key }}, '[[:punct:]]', ' ', 'g'), '\s+', ' ', 'g')), '')
{%- endmacro %}

{# Whether a name's words (`name_words`: already cleaned, so the regular expressions run once
   per name) can tell people apart: not one of `placeholder_names` ("Khách lẻ"), and at least
   two words ("Anh", "Chị" or "Khách" alone name nobody). #}
{% macro are_usable_name_words(words) -%}
    coalesce({{ words }} like '% %' and not {{ are_placeholder_name_words(words) }}, false)
{%- endmacro %}

{% macro are_placeholder_name_words(words) -%}
    coalesce({{ words }} in (
        {%- for name in var('placeholder_names') -%}
            '{{ name }}'{{ ", " if not loop.last }}
        {%- endfor -%}
    ), false)
{%- endmacro %}

{# The same, of a folded name key not cleaned yet. #}
{% macro is_placeholder_name(name_key) -%}
    {{ are_placeholder_name_words(name_words(name_key)) }}
{%- endmacro %}
