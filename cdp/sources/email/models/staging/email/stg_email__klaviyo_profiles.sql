-- Klaviyo profiles, latest version each (by Klaviyo's own `updated`, then the load), with
-- their email marketing subscription. Incremental: only the profiles a load since the last
-- build brought a version of.
{{ config(materialized='incremental', incremental_strategy='delete+insert',
          unique_key='profile_id') }}

with

source as (
    {{ versions_to_stage(source('email', 'klaviyo_profiles'), 'id') }}
),

latest_versions as (
    {{ latest_version('source', 'id',
        newer_first=json_text('attributes', ['updated']) ~ ' desc nulls last') }}
),

renamed as (
    select
        id as profile_id,
        {{ json_text('attributes', ['email']) }} as email_address,
        {{ json_text('attributes', ['phone_number']) }} as phone_number,
        -- The business's own id of the person, as Klaviyo documents `external_id`.
        {{ json_text('attributes', ['external_id']) }} as external_id,
        {{ nfc(json_text('attributes', ['first_name'])) }} as first_name,
        {{ nfc(json_text('attributes', ['last_name'])) }} as last_name,
        {{ nfc("trim(concat_ws(' ', " ~ json_text('attributes', ['last_name']) ~ ", "
               ~ json_text('attributes', ['first_name']) ~ "))") }} as full_name,
        {{ json_text('attributes', ['location', 'city']) }} as city,
        {{ plausible_timestamp("try_cast(" ~ json_text('attributes', ['created']) ~ " as timestamptz)") }}
            as created_at,
        {{ plausible_timestamp("try_cast(" ~ json_text('attributes', ['updated']) ~ " as timestamptz)") }}
            as updated_at,
        upper({{ json_text('attributes', ['subscriptions', 'email', 'marketing', 'consent']) }})
            as email_consent,
        {{ plausible_timestamp("try_cast(" ~ json_text(
            'attributes', ['subscriptions', 'email', 'marketing', 'consent_timestamp']) ~ " as timestamptz)") }}
            as email_consent_at,
        {{ json_text('attributes', ['subscriptions', 'email', 'marketing', 'suppression']) }}
            as email_suppressions,
        _source_file,
        _dlt_load_id
    from latest_versions
),

normalized as (
    select
        *,
        {{ normalize_email('email_address') }} as email_normalized,
        {{ normalize_phone('phone_number') }} as phone_normalized,
        {{ fold_name('full_name') }} as name_key
    from renamed
)

select * from normalized
