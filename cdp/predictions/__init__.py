"""Predictions of customer behaviour from purchase histories (buy-till-you-die models)."""
