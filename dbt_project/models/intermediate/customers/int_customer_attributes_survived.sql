-- The golden record: for each attribute, the most recent non-empty value from the most trusted
-- source (`survivorship_source_order`). Excluded identifiers (a store's phone) and placeholder
-- names ("Khách lẻ") are never chosen. The name is then written in its best form among the
-- customer's own records of the same name: with its diacritics rather than without, properly
-- cased rather than ALL CAPS or lower case ("Đỗ Ngọc Hoa" over "ĐỖ NGỌC HOA" or "do ngoc hoa").
--
-- Incremental, customer by customer: a build chooses again only for the customers whose inputs
-- changed since the last build: their records' observations (an observation of a new or
-- updated record, a record that joined or left them) or which of their emails and phones are
-- excluded as shared, as an order-free checksum of those rows (`inputs_checksum`). A customer
-- id no longer in use, or left with nothing to choose from, gets a marker row (its checksum
-- NULL) that replaces its row and that the post-hook deletes.
{{ config(materialized='incremental', incremental_strategy='delete+insert',
          unique_key='customer_id',
          post_hook="delete from {{ this }} where inputs_checksum is null") }}

with

clustered as (
    select * from {{ ref('int_records_clustered') }}
),

observations as (
    -- Every enabled source's records' attributes (kind `record_attributes`).
    {{ union_source_models('record_attributes') }}
),

excluded as (
    select * from {{ ref('int_identifiers_excluded') }}
),

observed as (
    select
        clustered.customer_id,
        observations.*,
        observations.email in (
            select excluded.identifier_value from excluded
            where excluded.identifier_type = 'email'
        ) as email_excluded,
        observations.phone in (
            select excluded.identifier_value from excluded
            where excluded.identifier_type = 'phone'
        ) as phone_excluded
    from observations
    inner join clustered
        on observations.source = clustered.source and observations.record_id = clustered.record_id
),

inputs as (
    select
        customer_id,
        {{ rows_checksum(['source', 'record_id', 'observed_at', 'full_name', 'name_key', 'email',
                          'email_excluded', 'phone', 'phone_excluded', 'city']) }}
            as inputs_checksum
    from observed
    group by customer_id
),

{% if is_incremental() %}
    stored as (
        select customer_id, inputs_checksum from {{ this }}
    ),
{% endif %}

changed as (
    {{ keys_changed('inputs', 'stored', ['customer_id'], ['inputs_checksum']) }}
),

gone as (
    {{ keys_gone('inputs', 'stored', ['customer_id']) }}
),

observed_by_customer as (
    select observed.*
    from observed
    inner join changed on observed.customer_id = changed.customer_id
),

candidates as (
    -- Names are NFC already (staging); excluded values and placeholder names are no candidates.
    select
        customer_id,
        source,
        observed_at,
        'full_name' as attribute,
        trim(regexp_replace(full_name, '\s+', ' ', 'g')) as value
    from observed_by_customer
    where name_key is not null and not {{ is_placeholder_name('name_key') }}
    union all
    select
        customer_id,
        source,
        observed_at,
        'email',
        email
    from observed_by_customer
    where
        email is not null and not email_excluded
    union all
    select
        customer_id,
        source,
        observed_at,
        'phone',
        phone
    from observed_by_customer
    where
        phone is not null and not phone_excluded
    union all
    select
        customer_id,
        source,
        observed_at,
        'city',
        trim(city)
    from observed_by_customer
    where nullif(trim(city), '') is not null
),

ranked as (
    select
        *,
        row_number() over (
            partition by customer_id, attribute
            order by
                case source
                    {%- for source in var('survivorship_source_order') %}
                        when '{{ source }}' then {{ loop.index }}
                    {%- endfor %}
                    else 99
                end,
                observed_at desc nulls last,
                value
        ) as trust_rank
    from candidates
),

name_spellings as (
    -- Every way the customer's records write the surviving name (same folded key), best first.
    select
        winners.customer_id,
        spellings.value,
        row_number() over (
            partition by winners.customer_id
            order by
                -- Diacritics cannot be put back; "đ" survives strip_accents, so test it apart.
                (
                    spellings.value <> strip_accents(spellings.value)
                    or lower(spellings.value) like '%đ%'
                ) desc,
                {{ regex_matches('spellings.value', "'^\\p{Lu}\\p{Ll}*( \\p{Lu}\\p{Ll}*)*$'") }} desc,
                spellings.trust_rank asc
        ) as spelling_rank
    from ranked as winners
    inner join ranked as spellings
        on
            winners.customer_id = spellings.customer_id
            and spellings.attribute = 'full_name'
            and {{ fold_name('winners.value') }} = {{ fold_name('spellings.value') }}
    where winners.attribute = 'full_name' and winners.trust_rank = 1
),

best_written_names as (
    select
        customer_id,
        value as full_name
    from name_spellings
    where spelling_rank = 1
),

survived as (
    select
        customer_id,
        max(case when attribute = 'full_name' then value end) as full_name,
        max(case when attribute = 'full_name' then source end) as full_name_source,
        max(case when attribute = 'email' then value end) as email,
        max(case when attribute = 'email' then source end) as email_source,
        max(case when attribute = 'phone' then value end) as phone,
        max(case when attribute = 'phone' then source end) as phone_source,
        max(case when attribute = 'city' then value end) as city,
        max(case when attribute = 'city' then source end) as city_source
    from ranked
    where trust_rank = 1
    group by customer_id
)

select
    changed.customer_id,
    coalesce(best_written_names.full_name, survived.full_name) as full_name,
    survived.full_name_source,
    survived.email,
    survived.email_source,
    survived.phone,
    survived.phone_source,
    survived.city,
    survived.city_source,
    -- Nothing to choose from: a marker (no checksum), chosen again on the next build too.
    case when survived.customer_id is not null then changed.inputs_checksum end
        as inputs_checksum
from changed
left join survived on changed.customer_id = survived.customer_id
left join best_written_names on changed.customer_id = best_written_names.customer_id

union all

select
    customer_id,
    null as full_name,
    null as full_name_source,
    null as email,
    null as email_source,
    null as phone,
    null as phone_source,
    null as city,
    null as city_source,
    null as inputs_checksum
from gone
