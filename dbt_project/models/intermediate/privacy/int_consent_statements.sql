-- Every explicit consent statement the exports hold: one row per record, purpose and moment.
-- A source's silence states nothing (an empty column, a form without checkboxes, a device that
-- never answered the banner); "not unsubscribed" is no grant either.
with

-- Each enabled source's consent statements model (cdp/sources/<system>/), stacked.
unioned as (
    {{ union_source_models('consent_statements') }}
),

-- A statement whose own time was set aside as implausible (marts.data_issues) cannot be
-- placed against the others: a grant then states nothing, but a withdrawal still holds, dated
-- when the product learnt it (its load), so no one is marketed to on a bad date's account.
dated as (
    select
        source,
        record_id,
        purpose,
        status,
        coalesce(stated_at, case when status = 'withdrawn' then loaded_at end) as stated_at,
        statement
    from unioned
)

select
    source || ':' || record_id as record_key,
    source,
    record_id,
    purpose,
    status,
    stated_at,
    statement
from dated
where stated_at is not null
