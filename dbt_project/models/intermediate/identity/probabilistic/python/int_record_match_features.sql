-- One row per record that has something to compare — a usable name, a phone or an email — in
-- the shape the probabilistic model reads (cdp/identity/probabilistic.py). All values
-- are kept, excluded ones too: the model weighs a common value by its frequency itself.
-- `*_linking_key` is the value and person through which the rules already link the record: two
-- records with the same key are joined whatever the model says, so the pair is never scored.
with

records as (
    select * from {{ ref('int_records_unioned') }}
),

record_names as (
    select * from {{ ref('int_record_names_unioned') }}
),

identifiers as (
    select * from {{ ref('int_identifiers_unioned') }}
),

linking as (
    select * from {{ ref('int_identifiers_linking') }}
),

attributes as (
    -- Every enabled source's records' attributes (kind `record_attributes`): their cities.
    {{ union_source_models('record_attributes') }}
),

names as (
    -- A record given two usable names (rare) is compared on the first.
    select
        record_key,
        min(name_key) as name_key
    from record_names
    where is_usable
    group by record_key
),

contact_points as (
    select
        record_key,
        min(case when identifier_type = 'phone' then identifier_value end) as phone,
        min(case when identifier_type = 'email' then identifier_value end) as email
    from identifiers
    where identifier_type in ('phone', 'email')
    group by record_key
),

linking_points as (
    select
        record_key,
        min(case when identifier_type = 'phone' then identifier_value || '|' || name_group end)
            as phone_linking_key,
        min(case when identifier_type = 'email' then identifier_value || '|' || name_group end)
            as email_linking_key
    from linking
    where identifier_type in ('phone', 'email')
    group by record_key
),

cities as (
    select
        source || ':' || record_id as record_key,
        min({{ fold_name('city') }}) as city
    from attributes
    where city is not null
    group by source, record_id
),

features as (
    select
        records.record_node,
        records.record_key,
        names.name_key,
        string_split(names.name_key, ' ') as name_words,
        array_to_string(list_sort(string_split(names.name_key, ' ')), ' ') as name_sorted,
        contact_points.phone,
        contact_points.email,
        split_part(contact_points.email, '@', 1) as email_user,
        nullif(cities.city, '') as city,
        linking_points.phone_linking_key,
        linking_points.email_linking_key
    from records
    left join names on records.record_key = names.record_key
    left join contact_points on records.record_key = contact_points.record_key
    left join cities on records.record_key = cities.record_key
    left join linking_points on records.record_key = linking_points.record_key
    where
        names.name_key is not null
        or contact_points.phone is not null
        or contact_points.email is not null
),

{%- set max_block = var('probabilistic_max_block_size') %}

-- How many records share each blocking value: counted by value and joined back (three window
-- counts over every record, each sorting all of it, cost half again as much at a million).
phone_sizes as (
    select
        phone,
        count(*) as phone_records
    from features
    where phone is not null
    group by phone
),

email_sizes as (
    select
        email,
        count(*) as email_records
    from features
    where email is not null
    group by email
),

name_city_sizes as (
    select
        name_key,
        city,
        count(*) as name_city_records
    from features
    where name_key is not null and city is not null
    group by name_key, city
),

block_sizes as (
    select
        features.*,
        phone_sizes.phone_records,
        email_sizes.email_records,
        name_city_sizes.name_city_records
    from features
    left join phone_sizes on features.phone = phone_sizes.phone
    left join email_sizes on features.email = email_sizes.email
    left join name_city_sizes
        on features.name_key = name_city_sizes.name_key and features.city = name_city_sizes.city
)

select
    record_node,
    record_key,
    name_key,
    name_words,
    name_sorted,
    phone,
    email,
    email_user,
    city,
    phone_linking_key,
    email_linking_key,
    -- A value on more records than the block size pairs only the records with the same name.
    case
        when phone_records <= {{ max_block }} then phone
        when name_key is not null then phone || '|' || name_key
    end as phone_block,
    case
        when email_records <= {{ max_block }} then email
        when name_key is not null then email || '|' || name_key
    end as email_block,
    case
        when
            name_key is not null and city is not null
            and name_city_records <= {{ var('probabilistic_max_name_city_block_size') }}
            then name_key || '|' || city
    end as name_city_block
from block_sizes
