{#- The audiences declared in `vars: audiences`, checked: a unique name, a condition, a consent
    purpose of `consent_purposes` and known destinations (the destination registry, passed in
    var `cdp_destinations`), each once; an audience sent to zalo_zns is an sms_marketing one
    with a `zalo_zns:` template whose parameters are columns of marts.customers or fixed values.
    A mistake stops the build naming it. -#}
{% macro declared_audiences() -%}
    {%- set known_destinations = var('cdp_destinations', none) %}
    {%- if known_destinations is none %}
        {{ exceptions.raise_compiler_error("no var cdp_destinations: run dbt through `cdp dbt …`, which passes the deployment's vars") }}
    {%- endif %}
    {%- set audiences = var('audiences', []) or [] %}
    {%- set customer_columns = [] %}
    {%- set to_zns = [] %}
    {%- for audience in audiences if 'zalo_zns' in audience
            or 'zalo_zns' in (audience.get('destinations') or []) %}
        {%- do to_zns.append(audience.get('name')) %}
    {%- endfor %}
    {%- if to_zns %}
        {#- The columns a template parameter may name: marts.customers', once it is built. #}
        {%- set customers = ref('customers') %}
        {%- if execute %}
            {%- for column in adapter.get_columns_in_relation(customers) %}
                {%- do customer_columns.append(column.name | lower) %}
            {%- endfor %}
        {%- endif %}
    {%- endif %}
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
        {%- set zns = audience.get('zalo_zns') %}
        {%- set prefix = "audience " ~ name ~ ": " %}
        {%- if zns is not none and 'zalo_zns' not in seen %}
            {{ exceptions.raise_compiler_error(prefix ~ "`zalo_zns:` is declared but zalo_zns is not one of its destinations") }}
        {%- endif %}
        {%- if 'zalo_zns' in seen %}
            {%- if audience.get('consent_purpose') != 'sms_marketing' %}
                {{ exceptions.raise_compiler_error(prefix ~ "zalo_zns sends Zalo messages: its consent_purpose must be sms_marketing (the purpose covering SMS and Zalo messages), got " ~ audience.get('consent_purpose')) }}
            {%- endif %}
            {%- if zns is not mapping %}
                {{ exceptions.raise_compiler_error(prefix ~ "destination zalo_zns needs a `zalo_zns:` mapping with template_id and template_data") }}
            {%- endif %}
            {%- set unknown = zns.keys() | reject('in', ['template_id', 'template_data', 'campaign']) | list %}
            {%- if unknown %}
                {{ exceptions.raise_compiler_error(prefix ~ "zalo_zns: unknown key(s) " ~ unknown | join(', ') ~ " (known: template_id, template_data, campaign)") }}
            {%- endif %}
            {%- set template_id = zns.get('template_id') %}
            {%- if not ((template_id is string and template_id | trim) or (template_id is number and template_id is not boolean)) %}
                {{ exceptions.raise_compiler_error(prefix ~ "zalo_zns: `template_id` (the approved ZNS template's id) is missing, got " ~ template_id) }}
            {%- endif %}
            {%- set campaign = zns.get('campaign') %}
            {%- if campaign is not none and not (campaign is string or (campaign is number and campaign is not boolean)) %}
                {{ exceptions.raise_compiler_error(prefix ~ "zalo_zns: `campaign` must be a text, got " ~ campaign) }}
            {%- endif %}
            {%- set template_data = zns.get('template_data') %}
            {%- if template_data is not mapping or not template_data %}
                {{ exceptions.raise_compiler_error(prefix ~ "zalo_zns: `template_data` must map each template parameter to {column: <a column of marts.customers>} or {value: <a fixed value>}") }}
            {%- endif %}
            {%- for parameter, source in template_data.items() %}
                {%- set where = prefix ~ "zalo_zns: template parameter " ~ parameter ~ ": " %}
                {%- if source is not mapping
                        or source.keys() | reject('in', ['column', 'value', 'default']) | list
                        or ('column' in source) == ('value' in source) %}
                    {{ exceptions.raise_compiler_error(where ~ "give {column: <a column of marts.customers>} (optionally with a default) or {value: <a fixed value>}, got " ~ source) }}
                {%- endif %}
                {%- for key in ['value', 'default'] if key in source %}
                    {%- if not (source[key] is string or (source[key] is number and source[key] is not boolean)) %}
                        {{ exceptions.raise_compiler_error(where ~ "`" ~ key ~ "` must be a text or a number, got " ~ source[key]) }}
                    {%- endif %}
                {%- endfor %}
                {%- if 'default' in source and 'value' in source %}
                    {{ exceptions.raise_compiler_error(where ~ "a fixed value takes no default") }}
                {%- endif %}
                {%- if 'column' in source and (source.column is not string
                        or (customer_columns and source.column | lower not in customer_columns)) %}
                    {{ exceptions.raise_compiler_error(where ~ "no column " ~ source.column ~ " in marts.customers") }}
                {%- endif %}
            {%- endfor %}
        {%- endif %}
    {%- endfor %}
    {{ return(audiences) }}
{%- endmacro %}
