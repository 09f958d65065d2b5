"""Dagster wiring of the deliveries: one asset per registered destination, after the publish."""
