-- The names each record was given, as folded matching keys, and whether the name can tell
-- people apart: not a placeholder ("Khách lẻ") and at least two words ("Anh", "Chị" or
-- "Khách" alone name nobody). Evidence of whether an identifier is used by one person or several.
with

-- Each enabled source's record names model (cdp/sources/<system>/), stacked.
names as (
    {{ union_source_models('record_names') }}
),

cleaned as (
    select distinct
        source || ':' || record_id as record_key,
        {{ name_words('name_key') }} as name_key
    from names
)

select
    record_key,
    name_key,
    {{ is_placeholder_name('name_key') }} as is_placeholder,
    {{ is_usable_name('name_key') }} as is_usable
from cleaned
where name_key is not null
