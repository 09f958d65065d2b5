-- Every explicit consent statement the exports hold: one row per record, purpose and moment.
-- A source's silence states nothing (an empty column, a form without checkboxes, a device that
-- never answered the banner); "not unsubscribed" is no grant either.
with

contacts as (
    select * from {{ ref('int_crm_contacts_current') }}
),

orders as (
    select * from {{ ref('stg_pos__orders') }}
),

leads as (
    select * from {{ ref('stg_social__leads') }}
),

events as (
    select * from {{ ref('stg_website__events') }}
),

keywords as (
    select * from {{ ref('consent_keywords') }}
),

-- HubSpot: a Non-marketing contact gets no marketing email and joins no ads audience.
marketing_status_purposes as (
    select unnest(['email_marketing', 'advertising']) as purpose
),

crm_marketing_status as (
    select
        'crm' as source,
        contacts.contact_id as record_id,
        marketing_status_purposes.purpose,
        case when contacts.is_marketing_contact then 'granted' else 'withdrawn' end as status,
        coalesce(contacts.modified_at, contacts.created_at) as stated_at,
        {{ timestamp_from_unix('contacts._dlt_load_id') }} as loaded_at,
        'HubSpot Marketing contact status: '
        || case
            when contacts.is_marketing_contact then 'Marketing contact'
            else 'Non-marketing contact'
        end as statement
    from contacts
    cross join marketing_status_purposes
    where contacts.is_marketing_contact is not null
),

crm_unsubscribed as (
    select
        'crm' as source,
        contact_id as record_id,
        'email_marketing' as purpose,
        'withdrawn' as status,
        coalesce(modified_at, created_at) as stated_at,
        {{ timestamp_from_unix('_dlt_load_id') }} as loaded_at,
        'HubSpot: unsubscribed from all email' as statement
    from contacts
    where is_unsubscribed_from_all_email
),

-- Shopify: the checkout's email marketing box, ticked or not, on each order.
checkout_choices as (
    select
        'pos' as source,
        order_id as record_id,
        'email_marketing' as purpose,
        case when accepts_marketing then 'granted' else 'withdrawn' end as status,
        ordered_at as stated_at,
        {{ timestamp_from_unix('_dlt_load_id') }} as loaded_at,
        'Shopify Accepts Marketing: ' || case when accepts_marketing then 'yes' else 'no' end
            as statement
    from orders
    where accepts_marketing is not null
),

-- Meta lead forms: custom disclaimer checkboxes, named by whoever built the form.
lead_checkbox_lists as (
    select
        lead_id,
        created_at,
        _dlt_load_id,
        unnest(from_json(
            custom_disclaimer_responses,
            '[{"checkbox_key": "VARCHAR", "is_checked": "VARCHAR"}]'
        )) as checkbox
    from leads
    where
        json_valid(custom_disclaimer_responses)
        and json_type(custom_disclaimer_responses) = 'ARRAY'
),

lead_checkboxes as (
    select
        lead_id,
        created_at,
        _dlt_load_id,
        struct_extract(checkbox, 'checkbox_key') as checkbox_key,
        struct_extract(checkbox, 'is_checked') as is_checked
    from lead_checkbox_lists
),

-- Each distinct checkbox or category name is matched against the keywords once: the names are
-- few and the records millions, and a pattern read from a column is compiled for every match.
lead_checkbox_purposes as (
    select
        checkbox_keys.checkbox_key,
        keywords.purpose
    from (select distinct checkbox_key from lead_checkboxes) as checkbox_keys
    inner join keywords
        on
            keywords.source = 'social'
            and regexp_matches(checkbox_keys.checkbox_key, keywords.pattern, 'i')
),

lead_statements as (
    select
        'social' as source,
        lead_checkboxes.lead_id as record_id,
        lead_checkbox_purposes.purpose,
        case
            when lower(lead_checkboxes.is_checked) in ('1', 'true', 'yes', 'checked')
                then 'granted'
            else 'withdrawn'
        end as status,
        lead_checkboxes.created_at as stated_at,
        {{ timestamp_from_unix('lead_checkboxes._dlt_load_id') }} as loaded_at,
        'Meta lead form checkbox ' || lead_checkboxes.checkbox_key || ': '
        || coalesce(lead_checkboxes.is_checked, '') as statement
    from lead_checkboxes
    inner join lead_checkbox_purposes
        on lead_checkboxes.checkbox_key = lead_checkbox_purposes.checkbox_key
),

-- Segment Consent Management stamps every message with the device's current preferences:
-- the device's latest message says what holds now.
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
),

unioned as (
    select * from crm_marketing_status
    union all
    select * from crm_unsubscribed
    union all
    select * from checkout_choices
    union all
    select * from lead_statements
    union all
    select * from device_statements
),

-- A statement whose own time was set aside as implausible (marts.data_issues) cannot be
-- placed against the others: a grant then states nothing, but a withdrawal still holds, dated
-- when the product learnt it (its load), so no one is marketed to on a bad date's account.
dated as (
    select
        source,
        record_id,
        purpose,
        status,
        coalesce(stated_at, case when status = 'withdrawn' then loaded_at end) as stated_at,
        statement
    from unioned
)

select
    source || ':' || record_id as record_key,
    source,
    record_id,
    purpose,
    status,
    stated_at,
    statement
from dated
where stated_at is not null
