-- The identifiers that link records: every record-identifier pair whose value is not excluded.
-- A value several people share (a household's phone, a family inbox) links each person's records
-- separately: `name_group` tells whose they are, and a record that cannot say (no usable name,
-- or two people's names) is not linked through it (see int_identity_links_refused).
with

identifiers as (
    select * from {{ ref('int_identifiers_unioned') }}
),

excluded as (
    select * from {{ ref('int_identifiers_excluded') }}
),

name_groups as (
    select * from {{ ref('int_identifier_name_groups') }}
),

linking as (
    select
        identifiers.record_key,
        identifiers.source,
        identifiers.record_id,
        identifiers.identifier_type,
        identifiers.identifier_value,
        -- 0 when one person uses the value; their group when several do.
        case when coalesce(name_groups.people_count, 0) >= 2 then name_groups.name_group else 0 end
            as name_group,
        identifiers.first_seen_at,
        identifiers.last_seen_at
    from identifiers
    left join excluded
        on
            identifiers.identifier_type = excluded.identifier_type
            and identifiers.identifier_value = excluded.identifier_value
    left join name_groups
        on
            identifiers.identifier_type = name_groups.identifier_type
            and identifiers.identifier_value = name_groups.identifier_value
            and identifiers.record_key = name_groups.record_key
    where excluded.identifier_value is null
)

select * from linking
where name_group is not null
