-- Probabilistic matching is off (probabilistic_matching: false) or the engine is SQL: no pairs.
select
    cast(null as bigint) as left_record_node,
    cast(null as bigint) as right_record_node,
    cast(null as double) as match_probability,
    cast(null as double) as match_weight,
    cast(null as varchar) as agreement,
    cast(null as boolean) as names_agree,
    cast(null as boolean) as contradicted,
    cast(null as varchar) as left_record_key,
    cast(null as varchar) as right_record_key
where false
