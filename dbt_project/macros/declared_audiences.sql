{#- The audiences declared in `vars: audiences`, checked: a unique name, a condition, a consent
    purpose of `consent_purposes` and known destinations (the destination registry, passed in
    var `cdp_destinations`), each once. A mistake stops the build naming it. -#}
{% macro declared_audiences() -%}
    {%- set known_destinations = var('cdp_destinations', none) %}
    {%- if known_destinations is none %}
        {{ exceptions.raise_compiler_error("no var cdp_destinations: run dbt through `cdp dbt …`, which passes the deployment's vars") }}
    {%- endif %}
    {%- set audiences = var('audiences', []) or [] %}
    {%- set names = [] %}
    {%- for audience in audiences %}
        {%- set name = audience.get('name') %}
        {%- if not name or name in names %}
            {{ exceptions.raise_compiler_error("audience " ~ loop.index ~ ": a unique `name` is needed, got " ~ name) }}
        {%- endif %}
        {%- do names.append(name) %}
        {%- if not audience.get('condition') %}
            {{ exceptions.raise_compiler_error("audience " ~ name ~ ": `condition` is missing") }}
        {%- endif %}
        {%- if audience.get('consent_purpose') not in var('consent_purposes') %}
            {{ exceptions.raise_compiler_error("audience " ~ name ~ ": `consent_purpose` must be one of " ~ var('consent_purposes') ~ ", got " ~ audience.get('consent_purpose')) }}
        {%- endif %}
        {%- set seen = [] %}
        {%- for destination in audience.get('destinations', []) %}
            {%- if destination not in known_destinations %}
                {{ exceptions.raise_compiler_error("audience " ~ name ~ ": unknown destination " ~ destination ~ " (known: " ~ known_destinations | join(', ') ~ ")") }}
            {%- endif %}
            {%- if destination in seen %}
                {{ exceptions.raise_compiler_error("audience " ~ name ~ ": destination " ~ destination ~ " is listed twice") }}
            {%- endif %}
            {%- do seen.append(destination) %}
        {%- endfor %}
    {%- endfor %}
    {{ return(audiences) }}
{%- endmacro %}
