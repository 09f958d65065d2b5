with

linking as (
    select * from {{ ref('int_identifiers_linking') }}
),

clustered as (
    select * from {{ ref('int_records_clustered') }}
),

graph as (
    -- Every record carrying a linking identifier is in one customer, so one row per identifier.
    select
        linking.identifier_type,
        linking.identifier_value,
        min(clustered.customer_id) as customer_id,
        min(linking.first_seen_at) as first_seen_at,
        max(linking.last_seen_at) as last_seen_at,
        -- A record carries an identifier once (int_identifiers_unioned's grain).
        count(*) as records_count
    from linking
    inner join clustered on linking.record_key = clustered.record_key
    group by linking.identifier_type, linking.identifier_value
)

select * from graph
