"""Dagster wiring only: the code location (definitions.py), its assets, checks, schedule and
sensor, and the in-process runner `cdp run` uses. The work itself lives in the packages below."""
