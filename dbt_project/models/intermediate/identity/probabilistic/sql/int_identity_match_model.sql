-- Probabilistic matching is off (probabilistic_matching: false) or the engine is SQL: no model.
select
    current_timestamp as trained_at,
    cast(0 as bigint) as records_compared,
    false as is_trained,
    '' as model_json,
    '' as match_weights_chart_html,
    '' as training_version,
    'probabilistic matching is off' as trained_because
