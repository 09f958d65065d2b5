-- The identifiers that link records: every record-identifier pair whose value is not excluded.
with

identifiers as (
    select * from {{ ref('int_identifiers_unioned') }}
),

excluded as (
    select * from {{ ref('int_identifiers_excluded') }}
),

linking as (
    select
        identifiers.record_key,
        identifiers.source,
        identifiers.record_id,
        identifiers.identifier_type,
        identifiers.identifier_value,
        identifiers.first_seen_at,
        identifiers.last_seen_at
    from identifiers
    left join excluded
        on
            identifiers.identifier_type = excluded.identifier_type
            and identifiers.identifier_value = excluded.identifier_value
    where excluded.identifier_value is null
)

select * from linking
