-- Every identifier each record carries: one row per record and identifier, normalized; each
-- enabled source's identifiers model (cdp/sources/<system>/), stacked.
-- A view: the sources' identifiers are tables, kept record by record (a night reads again only
-- the records that changed); a table here would copy every identifier of history each night,
-- and keep one more copy of every email and phone.
{{ config(materialized='view') }}

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
