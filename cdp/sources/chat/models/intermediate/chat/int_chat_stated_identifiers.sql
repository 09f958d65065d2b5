-- The phones and emails each chat record stated: the Zalo info form's phone
-- (`user_submit_info`), and every phone or email the person wrote in a message, read with the
-- product's normalization and validity checks (macros normalize_phone, normalize_email). A
-- number that is no valid phone (a price, an order number, a date, an account number) reads as
-- nothing. Only what the person sent counts, never the business's own replies. A value written
-- in a message that says it is someone else's (`chat_someone_else_cues`: "giao cho mẹ em số
-- …") is kept with `is_someone_elses`: it links nobody.
-- A table: the shared-account rule and the identifiers both read it, and the text is read once.
{{ config(materialized='table') }}

{#- Digits in groups of 2 to 5, optionally after a country code ("+84", "(+84)"), separated by
    at most one space, dot or dash: "0912 345 678", "0912.345.678", "(+84) 912-345-678",
    "84912345678". A lone digit after a number ("… 678 2 cái") is no group of it. -#}
{%- set phone_pattern = "'(?:\\(?\\+?[0-9]{1,3}\\)?[ .\\-]?)?[0-9]{2,5}(?:[ .\\-]?[0-9]{2,5}){1,4}'" %}
{%- set email_pattern = "'[A-Za-z0-9._%+\\-]+@[A-Za-z0-9.\\-]+\\.[A-Za-z]{2,}'" %}
{%- set escaped = [] %}
{%- for cue in var('chat_someone_else_cues') %}
    {%- do escaped.append(modules.re.escape(cue | lower) | replace("'", "''")) %}
{%- endfor %}
{%- set cues = escaped | join('|') %}
{#- Whole words: a cue neither follows nor precedes a letter or digit. -#}
{%- set cue_pattern = "'(^|[^[:alpha:][:digit:]])(" ~ cues ~ ")($|[^[:alpha:][:digit:]])'" %}

with

events as (
    select
        *,
        {{ regex_matches('lower(message_text)', cue_pattern) }} as names_someone_else
    from {{ ref('int_chat_events') }}
    where direction = 'inbound' and message_text is not null
),

zalo as (
    select * from {{ ref('stg_chat__zalo_events') }}
),

written_phones as (
    select
        record_id,
        occurred_at,
        names_someone_else,
        {{ matches_in_text('message_text', phone_pattern) }} as written
    from events
),

written_emails as (
    select
        record_id,
        occurred_at,
        names_someone_else,
        {{ matches_in_text('message_text', email_pattern) }} as written
    from events
    where message_text like '%@%'
),

stated as (
    select
        record_id,
        'phone' as identifier_type,
        submitted_phone_normalized as identifier_value,
        'info form' as stated_in,
        false as is_someone_elses,
        occurred_at
    from zalo
    where event_name = 'user_submit_info'
    union all
    select
        record_id,
        'phone',
        {{ normalize_phone('written') }},
        'message',
        names_someone_else,
        occurred_at
    from written_phones
    union all
    select
        record_id,
        'email',
        {{ normalize_email('written') }},
        'message',
        names_someone_else,
        occurred_at
    from written_emails
)

select * from stated
where identifier_value is not null
