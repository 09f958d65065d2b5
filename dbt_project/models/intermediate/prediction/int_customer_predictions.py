"""Churn and lifetime value per buyer, refreshed nightly (cdp/predictions/clv.py).

BG/NBD and Gamma-Gamma are fitted on the purchase histories of every buyer not under a
processing restriction (a restricted customer's data is not used to profile anyone, themselves
included). A buyer whose first purchase is younger than `prediction_min_history_days` gets the
status 'insufficient history' and no figures; when the models cannot be fitted at all (too few
buyers, no repeat buyers), every buyer gets that status and the run logs why.
"""

import pyarrow as pa

from cdp.predictions.clv import HISTORY_COLUMNS_SQL, HORIZONS_DAYS, fit, predict

FIGURES = ["p_active", "churn_probability_90d",
           *(f"expected_purchases_{days}d" for days in HORIZONS_DAYS),
           "expected_purchase_value", "predicted_clv_12m"]


def model(dbt, session):
    dbt.config(materialized="table")
    min_days, discount_rate = dbt.ref("int_prediction_settings").project(
        "min_history_days, annual_discount_rate").fetchone()
    histories = session.sql(f"""
        select histories.customer_id, {HISTORY_COLUMNS_SQL}
        from ({dbt.ref("int_customer_purchase_histories").sql_query()}) as histories
        anti join ({dbt.ref("int_customer_restrictions").sql_query()}) as restrictions
            using (customer_id)
        order by histories.customer_id
    """).df()
    fitted, purchases, spend = fit(histories)
    eligible = histories["T"] >= min_days
    output = histories[["customer_id"]].copy()
    output["prediction_status"] = "insufficient history"
    for column in FIGURES:
        output[column] = float("nan")
    if fitted.is_fitted and eligible.any():
        predictions = predict(histories[eligible], fitted, purchases, spend,
                              discount_rate)
        output.loc[eligible, FIGURES] = predictions[FIGURES]
        output.loc[eligible, "prediction_status"] = "predicted"
    return pa.Table.from_pandas(output, preserve_index=False)
