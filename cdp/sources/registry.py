"""The enabled source systems, in load order: one line per system.

(Placeholder while the registry is built: everything downstream will read this module.)"""

from cdp.ingestion.systems import SYSTEMS


def dbt_source_vars() -> dict:
    """What dbt must know of the registry (passed with `--vars` on every dbt invocation)."""
    return {}


__all__ = ["SYSTEMS", "dbt_source_vars"]
