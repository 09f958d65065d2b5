-- Every identifier each record carries: one row per record and identifier, normalized; each
-- enabled source's identifiers model (cdp/sources/<system>/), stacked.
with

unioned as (
    {{ union_source_models('identifiers') }}
)

select
    source || ':' || record_id as record_key,
    source,
    record_id,
    identifier_type,
    identifier_value,
    first_seen_at,
    last_seen_at
from unioned
