-- A deletion list is the newest statement about a record unless the record has a newer version:
-- a contact deleted in HubSpot is retired from identity resolution, the golden record and
-- consent (its raw versions stay, as history); one restored in HubSpot, exported again with a
-- later Last Modified Date, comes back. A record missing from a later export is no deletion:
-- exports may be partial or filtered, so absence proves nothing.
-- Each enabled source adds its deletion lists' records (kind `record_deletions`: the deletion and
-- the record's latest version); the rule which statement is newer is here, the same for all.
with

deletions as (
    {{ union_source_models('record_deletions') }}
),

retired as (
    -- A deletion as new as the latest version wins: it is the newer statement.
    select *
    from deletions
    where last_version_at is null or retired_at >= last_version_at
)

select * from retired
