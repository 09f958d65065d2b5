{# An amount written as text, the way its locale writes it: "1.000.000" and "1.000.000,50"
   (Vietnamese), "1,234.56", "₫120000", "150.000 đ". Only a lone group of three digits after one
   mark ("150.000") reads two ways: `amount_decimal_separator` settles it when set, else it is a
   thousands group unless the currency has three decimals (then NULL). NULL when unparseable;
   the value is then listed in `marts.data_issues`. The same rules as the loader's
   (`cdp/ingestion/amounts.py`), which also uses the rest of a file as evidence. #}
{% macro parse_amount(text, currency) -%}
    {%- set cleaned = "regexp_replace(trim(" ~ text ~ "), '[[:space:]  ''’₫$€£¥]|vnd|vnđ|đ|usd|VND|VNĐ|Đ|USD', '', 'g')" -%}
    {%- set separator = var('amount_decimal_separator') -%}
    {%- set three_decimals = "upper(coalesce(" ~ currency ~ ", '')) in ('BHD', 'IQD', 'JOD', 'KWD', 'LYD', 'OMR', 'TND')" -%}
    {%- set no_commas = "replace(" ~ cleaned ~ ", ',', '')" -%}
    {%- set no_dots = "replace(" ~ cleaned ~ ", '.', '')" -%}
    {%- set comma_as_point = "replace(replace(" ~ cleaned ~ ", '.', ''), ',', '.')" -%}
    {%- if separator == '.' -%}
        {%- set lone_dot, lone_comma = cleaned, no_commas -%}
    {%- elif separator == ',' -%}
        {%- set lone_dot, lone_comma = no_dots, comma_as_point -%}
    {%- else -%}
        {%- set lone_dot = "case when not " ~ three_decimals ~ " then " ~ no_dots ~ " end" -%}
        {%- set lone_comma = "case when not " ~ three_decimals ~ " then " ~ no_commas ~ " end" -%}
    {%- endif -%}
    {{ dbt.safe_cast(
        "case
            when " ~ regex_matches(cleaned, "'^[+-]?[0-9]+$'") ~ " then " ~ cleaned ~ "
            when " ~ regex_matches(cleaned, "'^[+-]?[0-9]{1,3}\\.[0-9]{3}$'") ~ " then " ~ lone_dot ~ "
            when " ~ regex_matches(cleaned, "'^[+-]?[0-9]{1,3},[0-9]{3}$'") ~ " then " ~ lone_comma ~ "
            when " ~ regex_matches(cleaned, "'^[+-]?[0-9]{1,3}(,[0-9]{3})+(\\.[0-9]+)?$'") ~ " then " ~ no_commas ~ "
            when " ~ regex_matches(cleaned, "'^[+-]?[0-9]{1,3}(\\.[0-9]{3})+(,[0-9]+)?$'") ~ " then " ~ comma_as_point ~ "
            when " ~ regex_matches(cleaned, "'^[+-]?[0-9]*\\.[0-9]+$'") ~ " then " ~ cleaned ~ "
            when " ~ regex_matches(cleaned, "'^[+-]?[0-9]*,[0-9]+$'") ~ " then replace(" ~ cleaned ~ ", ',', '.')
        end",
        "decimal(18, 2)") }}
{%- endmacro %}
