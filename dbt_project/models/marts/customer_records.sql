-- Every source record with its customer, and the name the record gives as written: names are
-- why records on a shared phone or email are one customer or several (`cdp explain` shows it).
with

clustered as (
    select * from {{ ref('int_records_clustered') }}
),

record_names as (
    -- The name each record of every enabled source gives (kind `record_written_names`).
    {{ union_source_models('record_written_names') }}
),

named as (
    select
        clustered.source,
        clustered.record_id,
        clustered.customer_id,
        clustered.first_seen_at,
        clustered.last_seen_at,
        nullif(trim(regexp_replace(record_names.full_name, '\s+', ' ', 'g')), '') as full_name
    from clustered
    left join record_names
        on
            clustered.source = record_names.source
            and clustered.record_id = record_names.record_id
)

select * from named
