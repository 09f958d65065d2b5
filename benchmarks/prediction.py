"""Backtest of the purchase predictions (cdp/predictions/clv.py) on a generated population.

The nightly pipeline runs on the generated exports (dlt load, dbt build up to the purchase
histories), so predictions see customers as identity resolution made them. The models are then
fitted on the histories up to a cut-off `--holdout-days` before the data's end and judged on what
those customers bought afterwards:

- calibration: purchases predicted for the holdout window against purchases made, per decile of
  the prediction and in total;
- churn ranking: AUC of the probability of no purchase in the window (and of 1 - p_active)
  for "no purchase in the window" (0.5 is chance);
- fit and prediction time.

    .venv/bin/python benchmarks/prediction.py --customers 100000
"""

import argparse
import tempfile
import time
from pathlib import Path

import duckdb
import numpy as np
from generated_sample import add_sample_arguments, generated_sample, load_exports
from scipy.stats import rankdata

from cdp.predictions.clv import (
    HISTORY_COLUMNS_SQL,
    expected_purchases,
    fit,
    predict,
    probability_no_purchase,
)
from cdp.transformation.dbt_runner import dbt_build

HOLDOUT_PURCHASES_SQL = """
    select customer_id, count(distinct cast(ordered_at as date)) as holdout_purchases
    from intermediate.int_orders_attributed
    where customer_id is not null and cancelled_at is null and net_revenue > 0
        and ordered_at > ?
    group by customer_id
"""


def auc(scores: np.ndarray, positives: np.ndarray) -> float:
    """Area under the ROC curve (Mann-Whitney), ties counted half."""
    ranks = rankdata(scores)
    positive_count = positives.sum()
    negative_count = len(positives) - positive_count
    return float((ranks[positives].sum() - positive_count * (positive_count + 1) / 2)
                 / (positive_count * negative_count))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    add_sample_arguments(parser, customers=100_000)
    parser.add_argument("--holdout-days", type=int, default=180)
    args = parser.parse_args()
    sample = generated_sample(args)

    with tempfile.TemporaryDirectory(dir=sample.parent) as scratch:
        warehouse = Path(scratch) / "bench.duckdb"
        started = time.perf_counter()
        load_exports(sample / "exports", warehouse)
        dbt_build(warehouse, select="+int_customer_purchase_histories",
                  target_path=Path(scratch) / "target")
        print(f"load and build to the purchase histories: {time.perf_counter() - started:.0f} s")
        with duckdb.connect(str(warehouse), read_only=True) as connection:
            (end,) = connection.execute(
                "select max(last_seen_at) from intermediate.int_records_clustered").fetchone()
        cutoff = end - np.timedelta64(args.holdout_days, "D").astype(object)
        dbt_build(warehouse, select="int_customer_purchase_histories",
                  variables={"as_of_date": cutoff.isoformat()},
                  target_path=Path(scratch) / "target")
        with duckdb.connect(str(warehouse), read_only=True) as connection:
            histories = connection.sql(
                f"select customer_id, {HISTORY_COLUMNS_SQL} "
                "from intermediate.int_customer_purchase_histories order by customer_id").df()
            holdout = connection.execute(HOLDOUT_PURCHASES_SQL, [cutoff]).df()

    started = time.perf_counter()
    fitted, purchases, spend = fit(histories)
    fit_seconds = time.perf_counter() - started
    if not fitted.is_fitted:
        raise SystemExit(f"models not fitted: {fitted.reason}")
    started = time.perf_counter()
    predictions = predict(histories, fitted, purchases, spend, annual_discount_rate=0.1)
    predicted = expected_purchases(purchases, histories, args.holdout_days).to_numpy()
    predict_seconds = time.perf_counter() - started
    actual = (histories[["customer_id"]].merge(holdout, how="left", on="customer_id")
              ["holdout_purchases"].fillna(0).to_numpy())

    print(f"\n{args.customers:,} generated customers, seed {args.seed}, profile {args.profile}: "
          f"{fitted.buyers:,} buyers before the cut-off ({fitted.repeat_buyers:,} repeat), "
          f"holdout {args.holdout_days} days")
    print(f"BG/NBD {fitted.purchase_model}")
    print(f"Gamma-Gamma {fitted.spend_model} (v in units of {fitted.value_scale:,.0f} VND)")
    print(f"fit {fit_seconds:.1f} s (BG/NBD + Gamma-Gamma); predictions {predict_seconds:.1f} s")
    print(f"\npurchases in the holdout: predicted {predicted.sum():,.0f}, "
          f"made {actual.sum():,.0f} ({predicted.sum() / actual.sum():.3f}x)")
    print("decile of the prediction  buyers  predicted mean  actual mean")
    order = np.argsort(predicted, kind="stable")
    for decile, members in enumerate(np.array_split(order, 10), start=1):
        print(f"  {decile:>2}                     {len(members):>7,}  "
              f"{predicted[members].mean():>14.3f}  {actual[members].mean():>11.3f}")
    churned = actual == 0
    quiet = probability_no_purchase(purchases, histories, args.holdout_days).to_numpy()
    active = predictions["p_active"].to_numpy()
    repeat = histories["frequency"].to_numpy() > 0
    print(f"\nchurn ranking, AUC for no purchase in the holdout ({churned.mean():.1%} of buyers "
          "made none; 0.5 is chance):")
    print(f"  P(no purchase in the window)  all buyers {auc(quiet, churned):.3f}, "
          f"repeat buyers ({repeat.sum():,}) {auc(quiet[repeat], churned[repeat]):.3f}")
    print(f"  1 - p_active                  all buyers {auc(1 - active, churned):.3f}, "
          f"repeat buyers {auc(1 - active[repeat], churned[repeat]):.3f}")

if __name__ == "__main__":
    main()
