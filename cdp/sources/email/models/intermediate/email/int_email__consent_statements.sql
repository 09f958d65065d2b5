-- Email marketing consent as the email tools state it: a member subscribed grants it (when
-- confirmed, else opted in); an unsubscribe or a spam complaint withdraws it. A bounce is no
-- withdrawal (the address is undeliverable: marts.customer_channel_status), and an open or a
-- click is never consent.
{{ config(materialized='ephemeral') }}

with

channel_statements as (
    select * from {{ ref('int_email__channel_statements') }}
),

statements as (
    select
        source,
        record_id,
        'email_marketing' as purpose,
        case when status = 'subscribed' then 'granted' else 'withdrawn' end as status,
        stated_at,
        loaded_at,
        statement
    from channel_statements
    where status in ('subscribed', 'unsubscribed', 'complained')
)

select * from statements
