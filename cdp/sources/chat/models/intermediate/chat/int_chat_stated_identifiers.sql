-- The phones and emails each chat record stated as its own: the Zalo info form's phone
-- (`user_submit_info`), and every phone or email the person wrote in a message, read with the
-- product's normalization and validity checks (macros normalize_phone, normalize_email). A
-- number that is no valid phone (a price, an order number, a date, an account number) reads as
-- nothing. Only what the person sent counts, never the business's own replies.
{{ config(materialized='ephemeral') }}

{#- Digits in groups of 2 to 5, optionally after a country code ("+84", "(+84)"), separated by
    at most one space, dot or dash: "0912 345 678", "0912.345.678", "(+84) 912-345-678",
    "84912345678". A lone digit after a number ("… 678 2 cái") is no group of it. -#}
{%- set phone_pattern = "'(?:\\(?\\+?[0-9]{1,3}\\)?[ .\\-]?)?[0-9]{2,5}(?:[ .\\-]?[0-9]{2,5}){1,4}'" %}
{%- set email_pattern = "'[A-Za-z0-9._%+\\-]+@[A-Za-z0-9.\\-]+\\.[A-Za-z]{2,}'" %}

with

events as (
    select * from {{ ref('int_chat_events') }}
    where direction = 'inbound'
),

zalo as (
    select * from {{ ref('stg_chat__zalo_events') }}
),

written_phones as (
    select
        record_id,
        occurred_at,
        {{ matches_in_text('message_text', phone_pattern) }} as written
    from events
    where message_text is not null
),

written_emails as (
    select
        record_id,
        occurred_at,
        {{ matches_in_text('message_text', email_pattern) }} as written
    from events
    where message_text is not null and message_text like '%@%'
),

stated as (
    select
        record_id,
        'phone' as identifier_type,
        submitted_phone_normalized as identifier_value,
        'info form' as stated_in,
        occurred_at
    from zalo
    where event_name = 'user_submit_info'
    union all
    select
        record_id,
        'phone',
        {{ normalize_phone('written') }},
        'message',
        occurred_at
    from written_phones
    union all
    select
        record_id,
        'email',
        {{ normalize_email('written') }},
        'message',
        occurred_at
    from written_emails
)

select * from stated
where identifier_value is not null
