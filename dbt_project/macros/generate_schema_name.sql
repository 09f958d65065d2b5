{# Schemas are the layer names themselves (staging, intermediate, marts): BI tools and tests
   depend on `marts.customers`, not on a target-prefixed name. #}
{% macro generate_schema_name(custom_schema_name, node) -%}
    {%- if custom_schema_name is none -%}{{ target.schema }}{%- else -%}{{ custom_schema_name | trim }}{%- endif -%}
{%- endmacro %}
