"""Churn and lifetime value from purchase histories: BG/NBD and Gamma-Gamma (`lifetimes`).

BG/NBD (Fader, Hardie & Lee, 2005) reads each buyer's repeat purchases (`frequency`), the age at
the last one (`recency`) and their age now (`T`), all in days, and gives the probability that
the buyer is still active and the purchases to expect over a horizon. Gamma-Gamma gives the
expected value of a purchase from the buyer's repeat purchases' average, shrunk towards the
population's; the two make a 12-month lifetime value, discounted monthly.

Why `lifetimes`: the same two models as pymc-marketing's CLV module, fitted by maximum
likelihood in seconds at a million buyers, in 4 MB with one dependency (autograd) beside
NumPy, SciPy and pandas, against about 460 MB and a C compiler at run time for PyMC and
PyTensor (figures in the README's Predictions section). It is no longer developed, so this
module is the only place that touches it.
"""

import logging
import time
import warnings
from dataclasses import dataclass

import numpy as np
import pandas as pd

LOG = logging.getLogger(__name__)

HORIZONS_DAYS = (30, 90, 365)
# int_customer_purchase_histories' columns under the names the models read.
HISTORY_COLUMNS_SQL = ('cast(frequency as double) as frequency, cast(recency as double) as '
                       'recency, cast(customer_age_days as double) as "T", '
                       'repeat_purchase_value as monetary_value')


@dataclass(frozen=True)
class Fitted:
    """The fitted models' parameters, or why there are none."""

    purchase_model: dict[str, float]  # BG/NBD r, alpha, a, b; empty when not fitted
    spend_model: dict[str, float]  # Gamma-Gamma p, q, v (v in `value_scale` units)
    value_scale: float  # amounts are fitted in units of the repeat buyers' median value
    penalizer: float  # the L2 penalty the fit needed (0: none)
    buyers: int
    repeat_buyers: int
    seconds: float
    reason: str = ""  # why not fitted

    @property
    def is_fitted(self) -> bool:
        return bool(self.purchase_model)


def fit(histories: pd.DataFrame) -> tuple[Fitted, object, object]:
    """Fit BG/NBD on every history and Gamma-Gamma on the repeat buyers'.

    `histories` has frequency, recency, T (days) and monetary_value (average repeat purchase).
    Returns the parameters and the two fitters (None, None when the data cannot carry them: too
    few buyers, no repeat buyer, or the optimiser did not converge even penalized)."""
    started = time.perf_counter()
    repeat = histories[(histories["frequency"] > 0) & (histories["monetary_value"] > 0)]
    if len(histories) < MIN_BUYERS or len(repeat) < MIN_REPEAT_BUYERS:
        return (_unfitted(histories, repeat, started,
                          f"{len(histories)} buyers, {len(repeat)} repeat buyers (need "
                          f"{MIN_BUYERS} and {MIN_REPEAT_BUYERS})"), None, None)
    # Gamma-Gamma is scale-free (amounts times c give v times c), but its optimiser does not
    # converge on amounts in the millions (VND): it fits amounts in units of their median.
    value_scale = float(repeat["monetary_value"].median())
    failures = []
    for penalizer in PENALIZERS:
        try:
            purchases, spend = _fit_once(histories, repeat, value_scale, penalizer)
        except Exception as error:  # lifetimes raises its own ConvergenceError, or ValueError
            failures.append(f"penalizer {penalizer}: {type(error).__name__}")
            continue
        if spend.params_["q"] <= 1:  # the population's mean purchase value would be infinite
            failures.append(f"penalizer {penalizer}: Gamma-Gamma q = "
                            f"{spend.params_['q']:.3f} <= 1")
            continue
        fitted = Fitted(
            purchase_model={name: float(value) for name, value in purchases.params_.items()},
            spend_model={name: float(value) for name, value in spend.params_.items()},
            value_scale=value_scale, penalizer=penalizer, buyers=len(histories),
            repeat_buyers=len(repeat), seconds=time.perf_counter() - started,
        )
        return fitted, purchases, spend
    return _unfitted(histories, repeat, started, "; ".join(failures)), None, None


# The optimiser can fail from its starting point when the data says little about dropout (a
# young or small population): a small L2 penalty on the parameters steadies it. Unpenalized
# first, as the models are defined.
PENALIZERS = (0.0, 0.001, 0.01)


def _fit_once(histories: pd.DataFrame, repeat: pd.DataFrame, value_scale: float,
              penalizer: float):
    # The optimiser's overflow warnings on its way (and lifetimes' own, under pandas 3) say
    # nothing the convergence check does not.
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        from lifetimes import BetaGeoFitter, GammaGammaFitter

        purchases = BetaGeoFitter(penalizer_coef=penalizer)
        purchases.fit(histories["frequency"], histories["recency"], histories["T"])
        spend = GammaGammaFitter(penalizer_coef=penalizer)
        spend.fit(repeat["frequency"], repeat["monetary_value"] / value_scale)
    return purchases, spend


MIN_BUYERS = 100
MIN_REPEAT_BUYERS = 20


def _unfitted(histories, repeat, started: float, reason: str) -> Fitted:
    LOG.warning("purchase models not fitted (%s): no predictions this run", reason)
    return Fitted({}, {}, 1.0, 0.0, len(histories), len(repeat),
                  time.perf_counter() - started, reason)


def predict(histories: pd.DataFrame, fitted: Fitted, purchases, spend,
            annual_discount_rate: float) -> pd.DataFrame:
    """Per history: p_active, expected purchases over each horizon, expected purchase value and
    the 12-month lifetime value (expected purchases month by month times the expected value,
    discounted monthly)."""
    frequency, recency, age = histories["frequency"], histories["recency"], histories["T"]
    predictions = pd.DataFrame(index=histories.index)
    predictions["p_active"] = purchases.conditional_probability_alive(frequency, recency, age)
    predictions["churn_probability_90d"] = probability_no_purchase(purchases, histories, 90)
    for days in HORIZONS_DAYS:
        predictions[f"expected_purchases_{days}d"] = expected_purchases(purchases, histories,
                                                                        days)
    # Gamma-Gamma's expectation for a buyer with no repeat purchase is the population mean.
    predictions["expected_purchase_value"] = fitted.value_scale * (
        spend.conditional_expected_average_profit(
            frequency, histories["monetary_value"].where(frequency > 0, 0) / fitted.value_scale))
    monthly_rate = (1 + annual_discount_rate) ** (1 / 12) - 1
    value = np.zeros(len(histories))
    previous = np.zeros(len(histories))
    for month in range(1, 13):
        cumulative = expected_purchases(purchases, histories, 365 * month / 12).to_numpy()
        value += (cumulative - previous) / (1 + monthly_rate) ** month
        previous = cumulative
    predictions["predicted_clv_12m"] = value * predictions["expected_purchase_value"].to_numpy()
    return predictions


def expected_purchases(purchases, histories: pd.DataFrame, days: float) -> pd.Series:
    """Purchases each history is expected to make in the next `days` days (BG/NBD)."""
    return purchases.conditional_expected_number_of_purchases_up_to_time(
        days, histories["frequency"], histories["recency"], histories["T"])


def probability_no_purchase(purchases, histories: pd.DataFrame, days: float) -> pd.Series:
    """Probability of no purchase in the next `days` days (BG/NBD): gone already, or still a
    customer whose purchase rate, given the history (gamma(r + x, alpha + T)), brings none.

    This, not 1 - p_active, is the churn score: BG/NBD lets a buyer leave only after a repeat
    purchase, so every one-time buyer has p_active 1 however long ago they bought."""
    r, alpha = purchases.params_["r"], purchases.params_["alpha"]
    alive = purchases.conditional_probability_alive(
        histories["frequency"], histories["recency"], histories["T"])
    rate_scale = alpha + histories["T"]
    quiet_if_alive = (rate_scale / (rate_scale + days)) ** (r + histories["frequency"])
    return 1 - alive + alive * quiet_if_alive
