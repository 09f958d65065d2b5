-- Records a deletion list retired: out of every customer, kept in the raw tables as history.
with

retired as (
    select * from {{ ref('int_records_retired') }}
),

listed as (
    select
        source,
        record_id,
        retired_at,
        deleted_at,
        source_file,
        has_raw_versions,
        last_version_at
    from retired
)

select * from listed
