-- Analysts' corrections (seed identity_overrides, plus the CSV named by the
-- `identity_overrides_csv` var when set), parsed: each side is a record key or a normalized
-- identifier, written however the analyst typed it.
with

seeded as (
    select
        action,
        record_or_identifier,
        other_record,
        reason
    from {{ ref('identity_overrides') }}
    {%- if var('identity_overrides_csv', none) %}
        union all
        select
            action,
            record_or_identifier,
            other_record,
            reason
        from read_csv('{{ var("identity_overrides_csv") }}', header = true, all_varchar = true)
    {%- endif %}
),

split as (
    select
        lower(trim(action)) as action,
        lower(trim(split_part(trim(record_or_identifier), ':', 1))) as left_kind,
        trim(substr(trim(record_or_identifier), strpos(trim(record_or_identifier), ':') + 1))
            as left_value,
        lower(trim(split_part(trim(other_record), ':', 1))) as right_source,
        trim(substr(trim(other_record), strpos(trim(other_record), ':') + 1)) as right_id,
        coalesce(nullif(trim(reason), ''), 'no reason given') as reason
    from seeded
    where nullif(trim(record_or_identifier), '') is not null
),

{#- A record is `<system>:<id>` of an enabled source (the registry, var `cdp_sources`).
    The email source's records share their prefix with email addresses: `email:` and an
    address (an `@` in it) is the address, `email:` and a Mailchimp EUID the record. #}
{%- set sources = "('" ~ (var('cdp_sources', {}).keys() | list | join("', '")) ~ "')" %}

kinds as (
    select
        *,
        left_kind in {{ sources }}
        and not (left_kind = 'email' and left_value like '%@%') as left_is_record
    from split
),

parsed as (
    select
        action,
        case when left_is_record then left_kind || ':' || left_value end as left_record_key,
        case when right_source in {{ sources }} then right_source || ':' || right_id end
            as right_record_key,
        case when not left_is_record then left_kind end as identifier_type,
        case
            when left_is_record then null
            when left_kind = 'email' then {{ normalize_email('left_value') }}
            when left_kind = 'phone' then {{ normalize_phone('left_value') }}
            else left_value
        end as identifier_value,
        reason
    from kinds
)

select
    row_number() over (
        order by action, left_record_key, right_record_key, identifier_type, identifier_value
    ) as override_id,
    *
from parsed
