with

linking as (
    select * from {{ ref('int_identifiers_linking') }}
),

refused as (
    select * from {{ ref('int_identity_links_refused') }}
),

clustered as (
    select * from {{ ref('int_records_clustered') }}
),

linked as (
    -- A link refused for a cardinality limit is not part of the graph.
    select linking.*
    from linking
    left join refused
        on
            linking.record_key = refused.record_key
            and linking.identifier_type = refused.identifier_type
            and linking.identifier_value = refused.identifier_value
    where refused.record_key is null
),

graph as (
    -- One row per identifier and customer: a value several people share (a household's phone)
    -- resolves to each of their customers.
    select
        linked.identifier_type,
        linked.identifier_value,
        clustered.customer_id,
        min(linked.first_seen_at) as first_seen_at,
        max(linked.last_seen_at) as last_seen_at,
        -- A record carries an identifier once (int_identifiers_unioned's grain).
        count(*) as records_count
    from linked
    inner join clustered on linked.record_key = clustered.record_key
    group by linked.identifier_type, linked.identifier_value, clustered.customer_id
)

select * from graph
