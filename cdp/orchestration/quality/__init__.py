"""Dagster wiring of the quality checks: Great Expectations suites as asset checks, filed in the
run's report."""
