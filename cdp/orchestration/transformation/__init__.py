"""Dagster wiring of the dbt project."""
