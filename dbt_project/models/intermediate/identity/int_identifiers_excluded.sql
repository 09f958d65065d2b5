-- Identifier values that must not link records, and why: placeholders from the blocklist seed,
-- values an analyst overrode (seed identity_overrides),
-- and values used far beyond one person's share of the population (a store's phone, a cashier's
-- mobile, an agency's or family's inbox, junk typed to skip a form), with the figure and limit.
with

identifiers as (
    select * from {{ ref('int_identifiers_unioned') }}
),

blocklist as (
    select * from {{ ref('identifier_blocklist') }}
),

usage as (
    select * from {{ ref('int_identifier_usage') }}
),

overrides as (
    select * from {{ ref('int_identity_overrides') }}
),

distinct_values as (
    select distinct
        identifier_type,
        identifier_value
    from identifiers
),

{#- In a real run each regular expression is written into the query as a literal: a pattern read
    from a column is compiled again for every value it is tried on (minutes at a million
    customers). A unit test's blocklist is its own fixture rows, so there (and when linting,
    before the seed exists) the patterns are read from the column. #}
{%- set regex_patterns = none %}
{%- if execute and model.resource_type == 'model'
    and load_relation(ref('identifier_blocklist')) is not none %}
    {%- set regex_patterns = run_query(
        "select identifier_type, pattern, reason from " ~ ref('identifier_blocklist')
        ~ " where match_type = 'regex' order by identifier_type, pattern").rows %}
{%- endif %}

blocklisted as (
    select
        distinct_values.identifier_type,
        distinct_values.identifier_value,
        'blocklist' as rule,
        'blocklist: ' || blocklist.reason as reason
    from distinct_values
    inner join blocklist
        on
            distinct_values.identifier_type = blocklist.identifier_type
            {%- if regex_patterns is none %}
                and (
                    (blocklist.match_type = 'exact' and distinct_values.identifier_value = blocklist.pattern)
                    or (
                        blocklist.match_type = 'regex'
                        and {{ regex_matches('distinct_values.identifier_value', 'blocklist.pattern') }}
                    )
                )
            {%- else %}
                and distinct_values.identifier_value = blocklist.pattern
                and blocklist.match_type = 'exact'
            {%- endif %}
    {%- for identifier_type, pattern, reason in regex_patterns or [] %}
        union all
        select
            identifier_type,
            identifier_value,
            'blocklist',
            {{ sql_string('blocklist: ' ~ reason) }}
        from distinct_values
        where
            identifier_type = {{ sql_string(identifier_type) }}
            and {{ regex_matches('identifier_value', sql_string(pattern)) }}
    {%- endfor %}
),

overridden as (
    -- An analyst said the value links nobody (seed identity_overrides).
    select distinct
        identifier_type,
        identifier_value,
        'override' as rule,
        'override: ' || reason as reason
    from overrides
    where action = 'never_link' and identifier_value is not null
),

{%- set measures = {
    'records_per_person': 'records per person using it',
    'unnamed_orders': 'orders with no usable name',
    'devices': 'devices',
    'people': 'people\'\'s names',
    'paired_values_per_person': 'values of the other kind per person using it',
} %}

frequency_outliers as (
    -- One row per measure a value is an outlier on, with its figure and the limit it broke.
    {%- for measure, label in measures.items() %}
        select
            identifier_type,
            identifier_value,
            'frequency' as rule,
            'used far beyond one person: on ' || round({{ measure }}_count, 1) || ' {{ label }} (limit '
            || round({{ measure }}_limit, 1) || ' = max(floor '
            || {{ var('identifier_outlier_floors')[measure] }} || ', the population''s '
            || '{{ var('identifier_outlier_quantile') }} quantile '
            || round(coalesce({{ measure }}_population_quantile, 0), 2)
            || ' x {{ var('identifier_outlier_factor') }}))' as reason
        from usage
        where is_{{ measure }}_outlier
        {{ "union all" if not loop.last }}
    {%- endfor %}
),

{%- if var('max_links_per_identifier') is not none %}

emails_with_phones as (
    -- Pairs seen on the same record: one person's email and phone, unless the value is shared.
    select distinct
        emails.identifier_value as email,
        phones.identifier_value as phone
    from identifiers as emails
    inner join identifiers as phones
        on emails.record_key = phones.record_key
    where emails.identifier_type = 'email' and phones.identifier_type = 'phone'
),

shared_values as (
    select
        'email' as identifier_type,
        email as identifier_value,
        'fixed cap' as rule,
        'shared: seen with ' || count(*) || ' different phones (more than '
        || {{ var('max_links_per_identifier') }} || ')' as reason
    from emails_with_phones
    group by email
    having count(*) > {{ var('max_links_per_identifier') }}
    union all
    select
        'phone',
        phone,
        'fixed cap',
        'shared: seen with ' || count(*) || ' different emails (more than '
        || {{ var('max_links_per_identifier') }} || ')'
    from emails_with_phones
    group by phone
    having count(*) > {{ var('max_links_per_identifier') }}
),
{%- endif %}

{%- if var('max_names_per_identifier') is not none %}

record_names as (
    select * from {{ ref('int_record_names_unioned') }}
),

used_under_several_names as (
    select
        identifiers.identifier_type,
        identifiers.identifier_value,
        'fixed cap' as rule,
        'shared: used under ' || count(distinct record_names.name_key) || ' different names (more than '
        || {{ var('max_names_per_identifier') }} || ')' as reason
    from identifiers
    inner join record_names on identifiers.record_key = record_names.record_key
    where identifiers.identifier_type in ('email', 'phone') and record_names.is_usable
    group by identifiers.identifier_type, identifiers.identifier_value
    having count(distinct record_names.name_key) > {{ var('max_names_per_identifier') }}
),
{%- endif %}

all_exclusions as (
    select * from blocklisted
    union all
    select * from overridden
    union all
    select * from frequency_outliers
    {%- if var('max_links_per_identifier') is not none %}
        union all
        select * from shared_values
    {%- endif %}
    {%- if var('max_names_per_identifier') is not none %}
        union all
        select * from used_under_several_names
    {%- endif %}
),

one_row_per_identifier as (
    select
        identifier_type,
        identifier_value,
        {{ distinct_values_text('rule', ', ') }} as rules,
        {{ distinct_values_text('reason', '; ') }} as reason
    from all_exclusions
    group by identifier_type, identifier_value
)

select * from one_row_per_identifier
