"""BI readers see every published version whole, never an error, a lock or a half-built
table: a tool that reconnects for each query (another process), and one that keeps pooled
connections open (SQLAlchemy + duckdb-engine in one process, as Superset does). The same race
at 1,000 publishes is benchmarks/publish_readers.py."""

import json
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest
import sqlalchemy

from cdp.orchestration.resources import CdpSettings
from cdp.orchestration.runner import run_pipeline
from cdp.publishing.publish import current_manifest, publish_marts
from tests.helpers import deliver_next_night
from tests.publishing.publish_race import race, small_warehouse

# Publishes back to back in the race below: 20 to 40 s on a loaded two-core machine.
RACE_PUBLISHES = 100

# Readers racing a publisher: timing-sensitive, so run with nothing else on the machine.
pytestmark = pytest.mark.solo


def _settings(tmp_path: Path, exports: Path) -> CdpSettings:
    return CdpSettings(
        exports_dir=str(exports),
        warehouse=str(tmp_path / "warehouse" / "cdp.duckdb"),
        published_warehouse=str(tmp_path / "published" / "cdp.duckdb"),
        reports_dir=str(tmp_path / "reports"),
    )


def _mart_counts(warehouse: Path) -> tuple[int, int]:
    with duckdb.connect(str(warehouse), read_only=True) as connection:
        return connection.execute("select (select count(*) from marts.customers), "
                                  "(select count(*) from marts.orders)").fetchone()


def test_readers_in_another_process_never_fail_while_runs_publish(tmp_path, sample_dir,
                                                                   exports_dir):
    settings = _settings(tmp_path, exports_dir)
    assert run_pipeline(settings).success
    night_one = _mart_counts(Path(settings.warehouse))
    stop = tmp_path / "stop"
    reader = subprocess.Popen(
        [sys.executable, str(Path(__file__).with_name("bi_reader.py")),
         settings.published_warehouse, str(stop)],
        stdout=subprocess.PIPE, text=True,
    )
    try:
        deliver_next_night(sample_dir, exports_dir)
        second = run_pipeline(settings)  # publishes a new version while the reader reads
        for _ in range(30):  # and many more refreshes, to land inside reads
            publish_marts(Path(settings.warehouse), Path(settings.published_warehouse))
    finally:
        stop.touch()
        output, _ = reader.communicate(timeout=60)
    seen = json.loads(output)

    assert second.success, second.failure_report()
    assert seen["errors"] == []
    assert seen["half_versions"] == []
    assert seen["queries"] > 100
    # Only whole versions: the first night's, then the second's.
    night_two = _mart_counts(Path(settings.warehouse))
    assert {tuple(answer) for answer in seen["answers"]} <= {night_one, night_two}
    assert tuple(seen["answers"][-1]) in {night_one, night_two}


def test_a_connection_pool_follows_each_new_version(tmp_path, exports_dir):
    settings = _settings(tmp_path, exports_dir)
    assert run_pipeline(settings).success
    warehouse, published = Path(settings.warehouse), Path(settings.published_warehouse)
    # Superset's way in: one engine, a pool of read-only connections kept open between queries.
    engine = sqlalchemy.create_engine(f"duckdb:///{published}",
                                      connect_args={"read_only": True}, pool_size=3)
    versions_seen, counts_seen = [], []
    try:
        with engine.connect() as connection:  # the pool opens before the three publishes
            connection.execute(sqlalchemy.text("select count(*) from marts.customers"))
        for publish in range(3):
            # Each version holds a different number of customers, so the pool must tell them
            # apart: publish the marts with the first `publish` customers left out.
            with duckdb.connect(str(warehouse)) as connection:
                connection.execute(
                    "delete from marts.customers where customer_id in (select customer_id "
                    "from marts.customers order by customer_id limit 1)")
            version = publish_marts(warehouse, published, run_id=f"pool-{publish}").version
            with engine.connect() as connection:  # the pooled connection, still open
                counts_seen.append(connection.execute(sqlalchemy.text(
                    "select count(*) from marts.customers")).scalar())
                versions_seen.append(connection.execute(sqlalchemy.text(
                    "select version from cdp_meta.publication")).scalar())
            assert versions_seen[-1] == version == current_manifest(published)["version"]
    finally:
        engine.dispose()

    assert len(set(versions_seen)) == 3
    assert counts_seen[0] - counts_seen[1] == counts_seen[1] - counts_seen[2] == 1


def test_readers_never_fail_nor_see_half_a_version_through_back_to_back_publishes(tmp_path):
    warehouse, published = tmp_path / "warehouse.duckdb", tmp_path / "published" / "cdp.duckdb"
    small_warehouse(warehouse, customers=2000)
    publish_marts(warehouse, published, run_id="first")

    result = race(warehouse, published, RACE_PUBLISHES)

    process, pooled = result.process, result.pooled
    assert (process["errors"], process["half_versions"]) == ([], [])
    assert (pooled.errors, pooled.half_versions) == ([], [])
    assert process["queries"] > 100 and pooled.queries > 100
    assert process["versions"] > 1
    # The pool follows each new version without reconnecting, never going back to an older one.
    assert pooled.versions == sorted(set(pooled.versions))
    assert len(pooled.versions) > RACE_PUBLISHES // 4
    assert pooled.versions[-1] == result.last_version == current_manifest(published)["version"]
