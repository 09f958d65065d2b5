-- Which person each record is, among the people who share one email or phone (the SQL engine,
-- for adapters without Python models). Less forgiving than the Python engine: names are one
-- person only when they have the same words in any order ("An Nguyễn" = "Nguyễn An"), so a
-- dropped middle name or a typo counts as another person (fewer links, never wrong ones).
with

identifiers as (
    select * from {{ ref('int_identifiers_unioned') }}
    where identifier_type in ('email', 'phone')
),

names as (
    select
        record_key,
        -- The words in alphabetical order: word order does not matter.
        array_to_string(list_sort(string_split(name_key, ' ')), ' ') as name_words
    from {{ ref('int_record_names_unioned') }}
    where is_usable
),

named as (
    select
        identifiers.identifier_type,
        identifiers.identifier_value,
        identifiers.record_key,
        names.name_words
    from identifiers
    left join names on identifiers.record_key = names.record_key
),

contested as (
    select
        identifier_type,
        identifier_value,
        count(distinct name_words) as people_count
    from named
    group by identifier_type, identifier_value
    having count(distinct name_words) >= 2
),

record_groups as (
    select
        named.identifier_type,
        named.identifier_value,
        named.record_key,
        contested.people_count,
        count(distinct named.name_words) as names_count,
        min(named.name_words) as name_words
    from named
    inner join contested
        on
            named.identifier_type = contested.identifier_type
            and named.identifier_value = contested.identifier_value
    group by all
)

select
    identifier_type,
    identifier_value,
    record_key,
    case
        when names_count = 1
            then dense_rank() over (
                partition by identifier_type, identifier_value order by name_words
            ) - 1
    end as name_group,
    people_count
from record_groups
