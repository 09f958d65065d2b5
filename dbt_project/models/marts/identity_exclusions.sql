with

excluded as (
    select * from {{ ref('int_identifiers_excluded') }}
),

identifiers as (
    select * from {{ ref('int_identifiers_unioned') }}
),

clustered as (
    select * from {{ ref('int_records_clustered') }}
),

reach as (
    -- What the value would have joined: the records carrying it, and the customers they are in
    -- now that it does not link them.
    select
        excluded.identifier_type,
        excluded.identifier_value,
        excluded.rules,
        excluded.reason,
        count(*) as records_count,
        count(distinct clustered.customer_id) as customers_count
    from excluded
    inner join identifiers
        on
            excluded.identifier_type = identifiers.identifier_type
            and excluded.identifier_value = identifiers.identifier_value
    inner join clustered on identifiers.record_key = clustered.record_key
    group by excluded.identifier_type, excluded.identifier_value, excluded.rules, excluded.reason
)

select * from reach
