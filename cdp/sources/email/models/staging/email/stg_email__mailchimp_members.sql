-- Incremental: a build stages only the members a load since the last build brought a version
-- of (macro versions_to_stage); delete+insert replaces their staged rows.
{{ config(materialized='incremental', incremental_strategy='delete+insert',
          unique_key='member_id') }}

{%- set zone = var('email_account_timezone') %}

with

source as (
    {{ versions_to_stage(source('email', 'mailchimp_members'), 'euid') }}
),

-- The newest statement of a member wins: by the member's own times (written "YYYY-MM-DD
-- HH:MM:SS", so they sort as text), then the load, so an old export delivered late does not
-- undo a later unsubscribe.
latest_versions as (
    {{ latest_version('source', 'euid',
        newer_first='greatest(last_changed, unsub_time, clean_time, confirm_time, optin_time) desc nulls last') }}
),

renamed as (
    select
        euid as member_id,
        leid as member_web_id,
        -- The audience (list) id Mailchimp puts in the file's name.
        nullif(regexp_extract(_source_file, 'members_export_([0-9a-fA-F]+)', 1), '') as list_id,
        lower(member_status) as member_status,
        email_address,
        {{ nfc('first_name') }} as first_name,
        {{ nfc('last_name') }} as last_name,
        -- Family name first, as the CRM's (Vietnamese audiences put it in Last Name).
        {{ nfc("trim(concat_ws(' ', last_name, first_name))") }} as full_name,
        phone_number,
        try_cast(member_rating as integer) as member_rating,
        {{ plausible_timestamp(timestamp_in_zone('optin_time', zone)) }} as opted_in_at,
        optin_time as opted_in_at_exported,
        {{ plausible_timestamp(timestamp_in_zone('confirm_time', zone)) }} as confirmed_at,
        confirm_time as confirmed_at_exported,
        {{ plausible_timestamp(timestamp_in_zone('last_changed', zone)) }} as last_changed_at,
        last_changed as last_changed_at_exported,
        {{ plausible_timestamp(timestamp_in_zone('unsub_time', zone)) }} as unsubscribed_at,
        unsub_time as unsubscribed_at_exported,
        nullif(trim(unsub_reason), '') as unsubscribe_reason,
        {{ plausible_timestamp(timestamp_in_zone('clean_time', zone)) }} as cleaned_at,
        clean_time as cleaned_at_exported,
        nullif(trim(tags), '') as tags,
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
