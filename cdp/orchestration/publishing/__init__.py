"""Dagster wiring of the publishing step: the asset and its gate."""
