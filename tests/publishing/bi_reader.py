"""A BI tool in another process: connects read-only, queries, disconnects, again and again,
until told to stop; prints how many queries ran, which answers and versions it saw, every error,
and every answer that mixed two versions.

Each query counts the rows and the distinct keys of two marts (the keys are read from the
Parquet pages, the row counts from the footers) and reads the publication's own row counts, in
one statement: a query that sees one version whole finds the counts its manifest recorded."""

import json
import sys
import time
from pathlib import Path

import duckdb

WHOLE_VERSION = """
    select (select version from cdp_meta.publication),
           (select to_json(tables)::varchar from cdp_meta.publication),
           (select [count(*), count(distinct customer_id)] from marts.customers),
           (select [count(*), count(distinct order_id)] from marts.orders)"""

# A reader that outlives its publisher (a failed test) stops by itself.
LONGEST_SECONDS = 1800


class HalfVersion(Exception):
    """An answer whose marts do not hold the rows its version's manifest recorded."""


def whole_version(row: tuple) -> tuple[str, int, int]:
    """(version, customers, orders) of one WHOLE_VERSION answer."""
    version, tables, customers, orders = row
    recorded = json.loads(tables)
    if customers != [recorded["customers"]] * 2 or orders != [recorded["orders"]] * 2:
        raise HalfVersion(f"half a version: customers {customers}, orders {orders} (rows, "
                          f"keys) read, {version} holds {recorded['customers']} customers and "
                          f"{recorded['orders']} orders")
    return version, customers[0], orders[0]


def main(published: str, stop_file: str) -> None:
    queries, errors, half_versions, answers, versions = 0, [], [], set(), set()
    deadline = time.monotonic() + LONGEST_SECONDS
    while not Path(stop_file).exists() and time.monotonic() < deadline:
        try:
            with duckdb.connect(published, read_only=True) as connection:
                row = connection.execute(WHOLE_VERSION).fetchone()
            queries += 1
            version, customers, orders = whole_version(row)
            answers.add((customers, orders))
            versions.add(version)
        except HalfVersion as mixed:
            half_versions.append(str(mixed))
        except Exception as error:
            errors.append(f"{type(error).__name__}: {error}")
        time.sleep(0.002)
    print(json.dumps({"queries": queries, "errors": errors[:20], "error_count": len(errors),
                      "half_versions": half_versions[:20],
                      "half_version_count": len(half_versions), "answers": sorted(answers),
                      "versions": len(versions)}))


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
