-- Every identifier each record carries: one row per record and identifier, normalized; each
-- enabled source's identifiers model (cdp/sources/<system>/), stacked.
-- A table, though it copies the sources' identifiers (tables kept record by record): as a view,
-- the joins on `record_key` that read it (int_identity_record_links) planned badly, 195 s
-- against under 6 s at a million customers.
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
-- A record's version row (macros/records_to_rebuild.sql) carries no identifier.
where identifier_value is not null
