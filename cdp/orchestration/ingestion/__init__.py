"""Dagster wiring of the loads: one asset per enabled source, keyed as dbt keys its sources."""
