"""Dagster wiring of the nightly privacy step (retention, interrupted erasures finished)."""
