-- Identifier values that must not link records, and why: placeholders from the blocklist seed,
-- and values shared by too many people (a store's phone, a family inbox, an agency's email).
with

identifiers as (
    select * from {{ ref('int_identifiers_unioned') }}
),

blocklist as (
    select * from {{ ref('identifier_blocklist') }}
),

record_names as (
    select * from {{ ref('int_record_names_unioned') }}
),

distinct_values as (
    select distinct
        identifier_type,
        identifier_value
    from identifiers
),

blocklisted as (
    select
        distinct_values.identifier_type,
        distinct_values.identifier_value,
        'blocklist: ' || blocklist.reason as reason
    from distinct_values
    inner join blocklist
        on
            distinct_values.identifier_type = blocklist.identifier_type
            and (
                (blocklist.match_type = 'exact' and distinct_values.identifier_value = blocklist.pattern)
                or (
                    blocklist.match_type = 'regex'
                    and {{ regex_matches('distinct_values.identifier_value', 'blocklist.pattern') }}
                )
            )
),

emails as (
    select
        record_key,
        identifier_value as email
    from identifiers
    where identifier_type = 'email'
),

phones as (
    select
        record_key,
        identifier_value as phone
    from identifiers
    where identifier_type = 'phone'
),

emails_with_phones as (
    -- Pairs seen on the same record: one person's email and phone, unless the value is shared.
    select distinct
        emails.email,
        phones.phone
    from emails
    inner join phones on emails.record_key = phones.record_key
),

shared_emails as (
    select
        'email' as identifier_type,
        email as identifier_value,
        'shared: seen with ' || count(*) || ' different phones (more than '
        || {{ var('max_links_per_identifier') }} || ')' as reason
    from emails_with_phones
    group by email
    having count(*) > {{ var('max_links_per_identifier') }}
),

shared_phones as (
    select
        'phone' as identifier_type,
        phone as identifier_value,
        'shared: seen with ' || count(*) || ' different emails (more than '
        || {{ var('max_links_per_identifier') }} || ')' as reason
    from emails_with_phones
    group by phone
    having count(*) > {{ var('max_links_per_identifier') }}
),

used_under_several_names as (
    select
        identifiers.identifier_type,
        identifiers.identifier_value,
        'shared: used under ' || count(distinct record_names.name_key) || ' different names (more than '
        || {{ var('max_names_per_identifier') }} || ')' as reason
    from identifiers
    inner join record_names on identifiers.record_key = record_names.record_key
    where identifiers.identifier_type in ('email', 'phone') and not record_names.is_placeholder
    group by identifiers.identifier_type, identifiers.identifier_value
    having count(distinct record_names.name_key) > {{ var('max_names_per_identifier') }}
),

typed_for_unnamed_customers as (
    -- Staff who type a placeholder name ("Khách lẻ") for a walk-in also type a placeholder
    -- phone: usually the store's own. A customer's own number is rarely given unnamed often.
    select
        identifiers.identifier_type,
        identifiers.identifier_value,
        'shared: on '
        || count(distinct identifiers.record_key)
        || ' records with a placeholder name (more than '
        || {{ var('max_links_per_identifier') }} || ')' as reason
    from identifiers
    inner join record_names on identifiers.record_key = record_names.record_key
    where identifiers.identifier_type in ('email', 'phone') and record_names.is_placeholder
    group by identifiers.identifier_type, identifiers.identifier_value
    having count(distinct identifiers.record_key) > {{ var('max_links_per_identifier') }}
),

all_exclusions as (
    select * from blocklisted
    union all
    select * from used_under_several_names
    union all
    select * from typed_for_unnamed_customers
    union all
    select * from shared_emails
    union all
    select * from shared_phones
),

one_row_per_identifier as (
    select
        identifier_type,
        identifier_value,
        string_agg(distinct reason, '; ' order by reason) as reason
    from all_exclusions
    group by identifier_type, identifier_value
)

select * from one_row_per_identifier
