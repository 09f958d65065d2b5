-- Incremental: a build stages only the records a load since the last build brought a version
-- of (macro versions_to_stage); delete+insert replaces their staged rows.
{{ config(materialized='incremental', incremental_strategy='delete+insert',
          unique_key='contact_id') }}

with

source as (
    {{ versions_to_stage(source('crm', 'contacts'), 'record_id') }}
),

latest_versions as (
    -- An impossible modified date (9999-12-31) would keep its version newest forever: only a
    -- plausible one orders versions, then the load order does.
    {%- set newer_first = plausible_timestamp('last_modified_date') ~ ' desc nulls last' %}
    {{ latest_version('source', 'record_id', newer_first=newer_first) }}
),

renamed as (
    select
        record_id as contact_id,
        {{ nfc('first_name') }} as first_name,
        {{ nfc('last_name') }} as last_name,
        {{ nfc("trim(concat_ws(' ', last_name, first_name))") }} as full_name,
        email,
        phone_number,
        mobile_phone_number,
        {{ nfc('city') }} as city,
        country_region as country,
        lower(lifecycle_stage) as lifecycle_stage,
        case marketing_contact_status
            when 'Marketing contact' then true
            when 'Non-marketing contact' then false
        end as is_marketing_contact,
        case lower(trim(unsubscribed_from_all_email))
            when 'true' then true
            when 'yes' then true
            when 'false' then false
            when 'no' then false
        end as is_unsubscribed_from_all_email,
        -- A timestamp no real contact can carry is NULL, kept as exported for marts.data_issues
        -- (macro plausible_timestamp).
        {{ plausible_timestamp('create_date') }} as created_at,
        create_date as created_at_exported,
        {{ plausible_timestamp('last_modified_date') }} as modified_at,
        last_modified_date as modified_at_exported,
        _source_file,
        _dlt_load_id
    from latest_versions
),

normalized as (
    select
        *,
        {{ normalize_email('email') }} as email_normalized,
        {{ normalize_phone('phone_number') }} as phone_normalized,
        {{ normalize_phone('mobile_phone_number') }} as mobile_phone_normalized,
        {{ fold_name('full_name') }} as name_key
    from renamed
)

select * from normalized
