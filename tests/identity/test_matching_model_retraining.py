"""When the saved probabilistic matching model is trained again, and when it only scores."""

import pytest

from cdp.identity.probabilistic import retraining_reason, training_version

pytestmark = pytest.mark.unit

VERSION = training_version(1_000_000, 250_000, 42)


def test_a_saved_model_scores_a_night_that_grew_the_population_a_little():
    assert retraining_reason((10_000, VERSION), 10_200, VERSION, growth=0.25, asked=False) \
        is None
    # Shrinking (an erasure, retention) within the share keeps it as well.
    assert retraining_reason((10_000, VERSION), 8_000, VERSION, growth=0.25, asked=False) \
        is None


@pytest.mark.parametrize(("saved", "records", "asked", "reason"), [
    (None, 500, False, "no model saved"),
    ((10_000, VERSION), 12_600, False, "more than probabilistic_retrain_growth (25%)"),
    ((10_000, VERSION), 7_400, False, "more than probabilistic_retrain_growth (25%)"),
    ((10_000, "another"), 10_000, False, "its training settings or code changed"),
    ((10_000, VERSION), 10_000, True, "asked for"),
])
def test_it_is_trained_again_when(saved, records, asked, reason):
    assert reason in retraining_reason(saved, records, VERSION, growth=0.25, asked=asked)


def test_the_version_follows_the_training_settings():
    assert training_version(1_000_000, 250_000, 42) == VERSION
    assert training_version(1_000_000, 250_000, 7) != VERSION
    assert training_version(500_000, 250_000, 42) != VERSION
