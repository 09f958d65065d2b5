-- Segment Consent Management stamps every message with the device's current preferences:
-- the device's latest message says what holds now.
{{ config(materialized='ephemeral') }}

with

events as (
    select * from {{ ref('stg_website__events') }}
),

keywords as (
    select * from {{ ref('consent_keywords') }}
),

device_preferences as (
    select
        anonymous_id,
        max(occurred_at) as stated_at,
        arg_max(consent_preferences, occurred_at) as preferences
    from events
    where consent_preferences is not null and anonymous_id is not null
    group by anonymous_id
),

device_categories as (
    select
        anonymous_id,
        stated_at,
        preferences,
        unnest(json_keys(preferences)) as category
    from device_preferences
    where json_valid(preferences) and json_type(preferences) = 'OBJECT'
),

device_category_purposes as (
    select
        categories.category,
        keywords.purpose
    from (select distinct category from device_categories) as categories
    inner join keywords
        on
            keywords.source = 'website'
            and regexp_matches(categories.category, keywords.pattern, 'i')
),

device_statements as (
    select
        'website' as source,
        device_categories.anonymous_id as record_id,
        device_category_purposes.purpose,
        case
            when lower(json_extract_string(
                device_categories.preferences,
                '$."' || replace(device_categories.category, '"', '\"') || '"'
            )) = 'true' then 'granted'
            else 'withdrawn'
        end as status,
        device_categories.stated_at,
        device_categories.stated_at as loaded_at,
        'Segment consent category ' || device_categories.category || ': '
        || json_extract_string(
            device_categories.preferences,
            '$."' || replace(device_categories.category, '"', '\"') || '"'
        ) as statement
    from device_categories
    inner join device_category_purposes
        on device_categories.category = device_category_purposes.category
)

select * from device_statements
