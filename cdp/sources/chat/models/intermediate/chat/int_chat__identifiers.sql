-- The phones and emails each chat record links through (int_chat_stated_identifiers): those it
-- stated as its own, less every value of a kind the account states too many of, and all of
-- an account several people use (int_chat_shared_accounts). A chat record has no identifier
-- of its own that links across scopes: a Zalo id and a PSID stay records, never identifiers.
{{ config(materialized='ephemeral') }}

with

stated as (
    select * from {{ ref('int_chat_stated_identifiers') }}
    where not is_someone_elses
),

shared as (
    select * from {{ ref('int_chat_shared_accounts') }}
),

kept as (
    select stated.*
    from stated
    left join shared
        on
            stated.record_id = shared.record_id
            and shared.identifier_type in (stated.identifier_type, 'name')
    where shared.record_id is null
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
