-- Meta lead forms: custom disclaimer checkboxes, named by whoever built the form.
{{ config(materialized='ephemeral') }}

with

leads as (
    select * from {{ ref('stg_social__leads') }}
),

keywords as (
    select * from {{ ref('consent_keywords') }}
),

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

-- Each distinct checkbox name is matched against the keywords once: the names are few and the
-- records millions, and a pattern read from a column is compiled for every match.
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
)

select * from lead_statements
