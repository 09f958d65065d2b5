"""Delivering one audience of `--members` customers to every destination, timed.

A warehouse holding only the audience marts is made with `--members` consenting members, then
each destination's first delivery (every member an add) runs as the nightly asset runs it:
Meta and Google Ads hashed files, the CSV, the signed webhook (batches of 500) and HubSpot
(batches of 100 through the dlt destination) — the last two against the test suite's local
receivers on 127.0.0.1, which answer at once, so the figures are our side's cost. A second
delivery with nothing changed is timed too.

    .venv/bin/python benchmarks/activation.py --members 100000
"""

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

import duckdb

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from cdp.activation.deliver import deliver
from cdp.activation.destinations.registry import DESTINATIONS
from cdp.testing.hubspot_server import HubSpotServer
from cdp.testing.receiver import Receiver

AUDIENCE = "Benchmark audience"


def audience_warehouse(path: Path, members: int) -> None:
    with duckdb.connect(str(path)) as connection:
        connection.execute("create schema marts")
        connection.execute(f"""
            create table marts.audience_members as
            select '{AUDIENCE}' as audience_name, 'cus_' || lpad(i::varchar, 8, '0') as customer_id,
                'email_marketing' as consent_purpose, 'Nguyễn Văn ' || i as full_name,
                'khach' || i || '@example.vn' as email,
                '+8491' || lpad(i::varchar, 7, '0') as phone, 'Hà Nội' as city
            from range({members}) as t(i)""")
        connection.execute(f"""
            create table marts.audience_summaries as
            select '{AUDIENCE}' as audience_name, 'email_marketing' as consent_purpose,
                '{", ".join(DESTINATIONS)}' as destinations, {members} as selected_count,
                {members} as members_count, 0 as excluded_without_consent_count,
                0 as excluded_restricted_count""")
        connection.execute(f"""
            create view marts.audience_changes as
            select destination, audience_name, 'add' as change, customer_id, email, phone,
                '0' as delivery_record_version
            from marts.audience_members
            cross join (select unnest({list(DESTINATIONS)}) as destination)""")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--members", type=int, default=100_000)
    args = parser.parse_args()
    receiver, hubspot = Receiver(secret="benchmark"), HubSpotServer(token="benchmark")
    os.environ.update({"CDP_WEBHOOK_URL": receiver.url, "CDP_WEBHOOK_SECRET": "benchmark",
                       "DESTINATION__HUBSPOT__ACCESS_TOKEN": "benchmark",
                       "DESTINATION__HUBSPOT__API_BASE_URL": hubspot.url})
    try:
        with tempfile.TemporaryDirectory() as scratch:
            warehouse = Path(scratch) / "audiences.duckdb"
            audience_warehouse(warehouse, args.members)
            print(f"one audience of {args.members:,} members, first delivery (all adds), "
                  "then a night with no change:")
            total = 0.0
            for destination in DESTINATIONS:
                started = time.perf_counter()
                report = deliver(destination, warehouse, Path(scratch) / "files", "bench-1")
                first = time.perf_counter() - started
                started = time.perf_counter()
                again = deliver(destination, warehouse, Path(scratch) / "files", "bench-2")
                second = time.perf_counter() - started
                total += first
                print(f"  {destination:<11} {first:6.1f} s  ({report.added / first:,.0f} "
                      f"members/s; failures {len(report.failures)}); unchanged night "
                      f"{second:4.1f} s, {again.added} sent")
            print(f"  every destination: {total:.1f} s")
            print(f"  receivers: webhook {receiver.requests:,} requests, "
                  f"HubSpot {hubspot.requests:,} requests, "
                  f"{len(hubspot.contacts):,} contacts")
    finally:
        receiver.close()
        hubspot.close()


if __name__ == "__main__":
    main()
