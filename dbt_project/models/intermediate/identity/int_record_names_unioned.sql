-- The names each record was given, as folded matching keys, and whether the name can tell
-- people apart: not a placeholder ("Khách lẻ") and at least two words ("Anh", "Chị" or
-- "Khách" alone name nobody). Evidence of whether an identifier is used by one person or several.
with

-- Each enabled source's record names model (cdp/sources/<system>/), stacked.
names as (
    {{ union_source_models('record_names') }}
),

-- Each record's distinct names, then their words: the regular expressions run once a name.
cleaned as (
    select distinct
        record_key,
        {{ name_words('name_key') }} as name_key
    from (
        select distinct
            source || ':' || record_id as record_key,
            name_key
        from names
    ) as distinct_names
)

select
    record_key,
    name_key,
    {{ are_placeholder_name_words('name_key') }} as is_placeholder,
    {{ are_usable_name_words('name_key') }} as is_usable
from cleaned
where name_key is not null
