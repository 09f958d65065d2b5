-- Values set aside one by one: an email or phone that is no identifier, an amount that is wrong
-- at the source, a timestamp no real record can carry. The record itself is kept (its other
-- values, its customer); only the value is left out of identity resolution, revenue, and the
-- as-of date and statistics that follow the data's times. One bad value never stops a night; a
-- share of them in one night's load does (the `data_issues_not_systemic` check).
-- Each enabled source lists its own (kind `data_issues`; macros identifier_issues and
-- timestamp_issues write the common ones).
with

issues as (
    {{ union_source_models('data_issues') }}
)

select * from issues
