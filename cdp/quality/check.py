"""A data-quality check: the rows to look at (SQL over the warehouse) and what must hold."""

from collections.abc import Callable
from dataclasses import dataclass

import great_expectations as gx


@dataclass(frozen=True)
class QualityCheck:
    name: str
    asset: tuple[str, ...]  # the asset key it checks, e.g. ("marts", "customers")
    description: str
    blocking: bool  # a failure stops publishing
    query: str  # selects the frame to validate from the working warehouse
    expectations: Callable[[], list[gx.expectations.Expectation]]
    # Columns of the frame that name an offending row (("source", "record_id")): a failure's
    # examples show them, not the tested value alone (a count of 0 says nothing of whose).
    record_columns: tuple[str, ...] = ()
