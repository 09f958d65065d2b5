-- The identifiers each app install carried: its device and advertising ids, and the account,
-- contacts and orders of the people signed in on it. A shared device (int_app_shared_devices)
-- carries none of those it is shared by: a shared install no person's, a shared device or
-- advertising id not at all.
{{ config(materialized='ephemeral') }}

with

events as (
    select * from {{ ref('stg_app__events') }}
    where anonymous_id is not null
),

shared as (
    select * from {{ ref('int_app_shared_devices') }}
),

install_identifiers as (
    select
        anonymous_id as record_id,
        'device_id' as identifier_type,
        device_id as identifier_value,
        occurred_at as seen_at
    from events
    union all
    select
        anonymous_id,
        'advertising_id',
        advertising_id,
        occurred_at
    from events
    union all
    select
        anonymous_id,
        'user_id',
        user_id,
        occurred_at
    from events
    union all
    select
        anonymous_id,
        'email',
        email_normalized,
        occurred_at
    from events
    union all
    select
        anonymous_id,
        'phone',
        phone_normalized,
        occurred_at
    from events
    union all
    -- An app's Order Completed and the shop's order of the same name are one order.
    select
        anonymous_id,
        'order_id',
        order_id,
        occurred_at
    from events
),

kept as (
    select install_identifiers.*
    from install_identifiers
    left join shared as shared_install
        on
            shared_install.key_type = 'app_install'
            and install_identifiers.record_id = shared_install.key_value
    left join shared as shared_value
        on
            install_identifiers.identifier_type = shared_value.key_type
            and install_identifiers.identifier_value = shared_value.key_value
    where
        install_identifiers.identifier_value is not null
        and shared_value.key_value is null
        and (
            shared_install.key_value is null
            or install_identifiers.identifier_type in ('device_id', 'advertising_id')
        )
),

grouped as (
    select
        'app' as source,
        record_id,
        identifier_type,
        identifier_value,
        min(seen_at) as first_seen_at,
        max(seen_at) as last_seen_at
    from kept
    group by record_id, identifier_type, identifier_value
)

select * from grouped
