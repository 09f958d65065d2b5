-- Incremental: a build stages only the records a load since the last build brought a version
-- of (macro versions_to_stage); delete+insert replaces their staged rows.
{{ config(materialized='incremental', incremental_strategy='delete+insert',
          unique_key='lead_id') }}

with

source as (
    {{ versions_to_stage(source('social', 'leads'), 'id') }}
),

latest_versions as (
    {{ latest_version('source', 'id') }}
),

renamed as (
    select
        id as lead_id,
        -- NULL when no real lead can carry it, kept as exported (macro plausible_timestamp).
        {{ plausible_timestamp('created_time') }} as created_at,
        created_time as created_at_exported,
        platform,
        lower(is_organic) = 'true' as is_organic,
        campaign_id,
        campaign_name,
        ad_id,
        ad_name,
        form_id,
        form_name,
        {{ nfc('full_name') }} as full_name,
        email,
        phone_number,
        nullif(trim(custom_disclaimer_responses), '') as custom_disclaimer_responses,
        _source_file,
        _dlt_load_id
    from latest_versions
),

normalized as (
    select
        *,
        {{ normalize_email('email') }} as email_normalized,
        {{ normalize_phone('phone_number') }} as phone_normalized,
        {{ fold_name('full_name') }} as name_key
    from renamed
)

select * from normalized
