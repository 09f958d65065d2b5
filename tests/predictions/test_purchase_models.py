"""The purchase models (cdp/predictions/clv.py) on histories drawn from a known BG/NBD process, and
their traits in a real build of the sample."""

import shutil

import numpy as np
import pandas as pd
import pytest

from cdp.predictions.clv import (
    HORIZONS_DAYS,
    expected_purchases,
    fit,
    predict,
    probability_no_purchase,
)
from tests.helpers import query, run_transform

TRUE_PURCHASE_MODEL = {"r": 0.8, "alpha": 40.0, "a": 0.8, "b": 2.5}
HOLDOUT_DAYS = 180


def simulate(customers: int, seed: int) -> tuple[pd.DataFrame, np.ndarray]:
    """Histories of a BG/NBD population up to each buyer's age T, and the purchases each makes
    in the next HOLDOUT_DAYS: purchase rates gamma(r, alpha), after each repeat purchase a
    beta(a, b) chance of leaving for good."""
    rng = np.random.default_rng(seed)
    model = TRUE_PURCHASE_MODEL
    rate = rng.gamma(model["r"], 1 / model["alpha"], customers)
    dropout = rng.beta(model["a"], model["b"], customers)
    age = rng.uniform(30, 730, customers)
    moment = np.zeros(customers)
    alive = np.ones(customers, bool)
    frequency, recency, holdout = np.zeros(customers), np.zeros(customers), np.zeros(customers)
    while alive.any():
        moment = np.where(alive, moment + rng.exponential(1 / rate), moment)
        in_history = alive & (moment <= age)
        in_holdout = alive & (moment > age) & (moment <= age + HOLDOUT_DAYS)
        frequency += in_history
        recency = np.where(in_history, moment, recency)
        holdout += in_holdout
        alive &= (moment <= age + HOLDOUT_DAYS) & (rng.random(customers) >= dropout)
    spend = rng.gamma(6, 1 / rng.gamma(4, 1 / 150_000, customers))  # VND per purchase
    histories = pd.DataFrame({"frequency": frequency, "recency": recency, "T": age,
                              "monetary_value": np.where(frequency > 0, spend, 0)})
    return histories, holdout


@pytest.mark.unit
def test_the_models_recover_a_known_purchase_process_and_predict_its_future():
    histories, holdout = simulate(30_000, seed=7)

    fitted, purchases, spend = fit(histories)

    assert fitted.is_fitted and fitted.penalizer == 0
    for name, truth in TRUE_PURCHASE_MODEL.items():
        assert fitted.purchase_model[name] == pytest.approx(truth, rel=0.15), name
    predicted = expected_purchases(purchases, histories, HOLDOUT_DAYS).to_numpy()
    assert predicted.sum() == pytest.approx(holdout.sum(), rel=0.05)
    # Customers ranked by their prediction: the top decile really buys far more.
    order = np.argsort(predicted)
    assert holdout[order[-3000:]].mean() > 5 * holdout[order[:3000]].mean()
    quiet = probability_no_purchase(purchases, histories, HOLDOUT_DAYS).to_numpy()
    assert quiet.mean() == pytest.approx((holdout == 0).mean(), abs=0.02)

    predictions = predict(histories, fitted, purchases, spend, annual_discount_rate=0.1)
    assert predictions["p_active"].between(0, 1).all()
    horizons = [predictions[f"expected_purchases_{days}d"] for days in HORIZONS_DAYS]
    assert ((horizons[0] <= horizons[1]) & (horizons[1] <= horizons[2])).all()
    # A year's value is at most the undiscounted purchases of 12 months times their value.
    twelve_months = expected_purchases(purchases, histories, 360)
    assert (predictions["predicted_clv_12m"]
            <= twelve_months * predictions["expected_purchase_value"] + 1e-6).all()
    assert (predictions["expected_purchase_value"] > 0).all()


@pytest.mark.unit
def test_a_population_too_small_to_carry_the_models_gets_no_figures():
    histories, _ = simulate(40, seed=3)

    fitted, purchases, spend = fit(histories)

    assert not fitted.is_fitted and purchases is None and spend is None
    assert "40 buyers" in fitted.reason


def test_buyers_carry_their_predicted_traits_in_the_customers_mart(built_sample):
    rows = query(built_sample, """
        select prediction_status, orders_count, days_since_first_seen, p_active,
            churn_probability_90d, expected_purchases_30d, expected_purchases_90d,
            expected_purchases_365d, expected_purchase_value, predicted_clv_12m
        from marts.customers""")
    statuses = {row[0] for row in rows}
    assert {"predicted", "no purchases"} <= statuses
    for status, _, _, *figures in rows:
        if status == "predicted":
            p_active, churn, in_30, in_90, in_365, value, clv = figures
            assert 0 <= p_active <= 1 and 0 <= churn <= 1
            assert 0 <= in_30 <= in_90 <= in_365 and value > 0 and clv >= 0
        else:
            assert figures == [None] * 7
    # 'no purchases': no order that was neither cancelled nor refunded in full.
    assert query(built_sample, """
        select count(*) from marts.customers
        inner join intermediate.int_customer_purchase_histories using (customer_id)
        where prediction_status = 'no purchases'""") == [(0,)]
    # Insufficient history: the first purchase is younger than prediction_min_history_days.
    young = query(built_sample, """
        select count(*) filter (where customers.prediction_status = 'insufficient history'),
            count(*) filter (where histories.customer_age_days < 30)
        from marts.customers
        inner join intermediate.int_customer_purchase_histories as histories using (customer_id)""")
    assert young[0][0] == young[0][1] > 0


def test_predicted_traits_drive_a_declared_segment(built_sample, tmp_path):
    folder = tmp_path / "warehouse"
    shutil.copytree(built_sample.parent, folder)
    warehouse = folder / built_sample.name
    condition = "churn_probability_90d > 0.5 and predicted_clv_12m > 100000"

    run_transform(warehouse, {"declared_segments": [
        {"name": "Valuable but drifting away", "condition": condition}]})

    segment = query(warehouse, """
        select customer_id from marts.customer_segments
        where segment_name = 'Valuable but drifting away' order by all""")
    expected = query(warehouse, f"""
        select customer_id from marts.customers
        where {condition} and not is_processing_restricted order by all""")
    assert segment == expected and len(segment) > 0
