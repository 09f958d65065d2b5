{# A name in Unicode NFC: the same letters always the same bytes (macOS sends NFD). #}
{% macro nfc(column) -%}
    {{ return(adapter.dispatch('nfc', 'cdp')(column)) }}
{%- endmacro %}

{% macro default__nfc(column) -%}
    normalize({{ column }}, NFC)
{%- endmacro %}

{% macro duckdb__nfc(column) -%}
    nfc_normalize({{ column }})
{%- endmacro %}

{# A matching key for names: no diacritics (đ is a letter of its own, folded by hand), lower
   case, single spaces. "NGUYỄN  Văn Đức" and "nguyen van duc" get the same key. #}
{% macro fold_name(column) -%}
    {{ return(adapter.dispatch('fold_name', 'cdp')(column)) }}
{%- endmacro %}

{% macro default__fold_name(column) -%}
    {# Needs the unaccent extension on Postgres. #}
    nullif(trim(regexp_replace(lower(unaccent(replace(replace({{ column }}, 'đ', 'd'), 'Đ', 'D'))), '\s+', ' ', 'g')), '')
{%- endmacro %}

{% macro duckdb__fold_name(column) -%}
    nullif(trim(regexp_replace(lower(strip_accents(replace(replace(nfc_normalize({{ column }}), 'đ', 'd'), 'Đ', 'D'))), '\s+', ' ', 'g')), '')
{%- endmacro %}
