-- The SQL engine applies no cardinality limits (max_identifiers_per_customer): no refusals.
select
    cast(null as bigint) as record_node,
    cast(null as bigint) as identifier_node,
    cast(null as varchar) as reason
where false
