-- The prediction settings the Python model needs, as one row: Python models cannot read vars.
select
    cast({{ var("prediction_min_history_days") }} as integer) as min_history_days,
    cast({{ var("prediction_annual_discount_rate") }} as double) as annual_discount_rate
