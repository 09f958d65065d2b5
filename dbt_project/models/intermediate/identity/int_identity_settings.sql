-- The identity settings Python models need, as one row: Python models cannot read dbt vars.
select
    '{{ tojson(var("max_identifiers_per_customer")) }}' as max_identifiers_per_customer_json,
    '{{ tojson(var("identifier_link_priority")) }}' as identifier_link_priority_json,
    cast({{ var("probabilistic_review_threshold") }} as double) as probabilistic_review_threshold,
    cast({{ var("probabilistic_u_sample_pairs") }} as double) as probabilistic_u_sample_pairs,
    cast({{ var("probabilistic_em_max_pairs") }} as double) as probabilistic_em_max_pairs,
    cast({{ var("probabilistic_seed") }} as integer) as probabilistic_seed,
    cast({{ var("probabilistic_retrain_growth") }} as double) as probabilistic_retrain_growth,
    {{ "true" if var("probabilistic_retrain") else "false" }} as probabilistic_retrain
