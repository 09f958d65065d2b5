-- The phones and emails each chat record links through (int_chat_stated_identifiers), less
-- those of an account that states too many of a kind (int_chat_shared_accounts), and, where the
-- account gave a number in Zalo's info form, less the numbers it wrote in messages. A chat
-- record has no identifier of its own that links across scopes: a Zalo id and a PSID stay
-- records, never identifiers.
{{ config(materialized='ephemeral') }}

with

stated as (
    select * from {{ ref('int_chat_stated_identifiers') }}
),

shared as (
    select * from {{ ref('int_chat_shared_accounts') }}
),

with_form as (
    select
        *,
        max(case when stated_in = 'info form' then 1 else 0 end) over (
            partition by record_id, identifier_type
        ) as has_form_value
    from stated
),

kept as (
    select with_form.*
    from with_form
    left join shared
        on
            with_form.record_id = shared.record_id
            and with_form.identifier_type = shared.identifier_type
    where
        shared.record_id is null
        and (with_form.has_form_value = 0 or with_form.stated_in = 'info form')
),

grouped as (
    select
        'chat' as source,
        record_id,
        identifier_type,
        identifier_value,
        min(occurred_at) as first_seen_at,
        max(occurred_at) as last_seen_at
    from kept
    group by record_id, identifier_type, identifier_value
)

select * from grouped
