-- Every source record that can belong to a customer, with when it was first seen and loaded:
-- each enabled source's records model (cdp/sources/<system>/), stacked.
with

unioned as (
    {{ union_source_models('records') }}
),

numbered as (
    select
        source || ':' || record_id as record_key,
        source,
        record_id,
        first_seen_at,
        last_seen_at,
        first_loaded_at,
        -- Dense integer ids for the graph algorithms, in a stable order.
        row_number() over (order by source, record_id) - 1 as record_node
    from unioned
)

select * from numbered
