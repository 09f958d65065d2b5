"""A BI tool in another process: connects read-only, queries, disconnects, again and again,
until told to stop; prints how many queries ran, which answers it saw, and every error."""

import json
import sys
import time
from pathlib import Path

import duckdb


def main(published: str, stop_file: str) -> None:
    queries, errors, answers = 0, [], set()
    while not Path(stop_file).exists():
        try:
            with duckdb.connect(published, read_only=True) as connection:
                customers, records = connection.execute("""
                    select count(*), sum(records_count) from marts.customers""").fetchone()
            answers.add((customers, int(records)))
            queries += 1
        except Exception as error:
            errors.append(f"{type(error).__name__}: {error}")
        time.sleep(0.005)
    print(json.dumps({"queries": queries, "errors": errors[:20],
                      "answers": sorted(answers)}))


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
