-- The identity settings Python models need, as one row: Python models cannot read dbt vars.
select
    '{{ tojson(var("max_identifiers_per_customer")) }}' as max_identifiers_per_customer_json,
    '{{ tojson(var("identifier_link_priority")) }}' as identifier_link_priority_json
