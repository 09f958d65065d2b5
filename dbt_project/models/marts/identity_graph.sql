with

links as (
    select * from {{ ref('identity_links') }}
),

graph as (
    -- One row per identifier and customer: a value several people share (a household's phone)
    -- resolves to each of their customers.
    select
        identifier_type,
        identifier_value,
        customer_id,
        min(first_seen_at) as first_seen_at,
        max(last_seen_at) as last_seen_at,
        -- A record carries an identifier once (int_identifiers_unioned's grain).
        count(*) as records_count
    from links
    group by identifier_type, identifier_value, customer_id
)

select * from graph
