"""Publishes back to back under two BI readers, as the solo test and the benchmark run them: one
in another process that connects for each query (bi_reader.py), and one in this process that
keeps its connections in a pool (SQLAlchemy + duckdb-engine's QueuePool, as Superset does).
Every query of both checks it saw one version whole; the pooled one records the versions it
saw, to show it follows each new one without reconnecting."""

import json
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

import duckdb
import sqlalchemy

from cdp.publishing.publish import publish_marts
from tests.publishing.bi_reader import WHOLE_VERSION, HalfVersion, whole_version

READER = Path(__file__).with_name("bi_reader.py")


def small_warehouse(warehouse: Path, customers: int) -> None:
    """Marts `customers` and `orders` (two per customer), with a few columns of each kind."""
    warehouse.parent.mkdir(parents=True, exist_ok=True)
    with duckdb.connect(str(warehouse)) as connection:
        connection.execute("create schema marts")
        connection.execute(f"""
            create table marts.customers as
            select range as customer_id, 'customer ' || range as name,
                   'c' || range || '@example.vn' as email,
                   date '2024-01-01' + (range % 365)::int as first_order_date
            from range({customers})""")
        connection.execute(f"""
            create table marts.orders as
            select range as order_id, range // 2 as customer_id,
                   (range % 97) * 10000.0 as amount, range % 3 = 0 as is_returned
            from range({2 * customers})""")


def drop_a_customer(warehouse: Path) -> None:
    """The next version holds one customer and two orders fewer than the last."""
    with duckdb.connect(str(warehouse)) as connection:
        connection.execute("""
            delete from marts.orders where customer_id = (select min(customer_id)
                                                          from marts.customers)""")
        connection.execute("""
            delete from marts.customers where customer_id = (select min(customer_id)
                                                             from marts.customers)""")


@dataclass
class PooledReader:
    """A thread querying through a pool of connections kept open between queries."""
    published: Path
    queries: int = 0
    errors: list[str] = field(default_factory=list)
    half_versions: list[str] = field(default_factory=list)
    versions: list[str] = field(default_factory=list)  # in the order first seen
    _stop: threading.Event = field(default_factory=threading.Event)

    def __post_init__(self) -> None:
        self.engine = sqlalchemy.create_engine(
            f"duckdb:///{self.published}", connect_args={"read_only": True},
            pool_size=2, poolclass=sqlalchemy.pool.QueuePool)
        self.thread = threading.Thread(target=self._run, daemon=True)

    def start(self) -> "PooledReader":
        with self.engine.connect() as connection:  # the pool opens before the race
            connection.execute(sqlalchemy.text("select 1"))
        self.thread.start()
        return self

    def stop(self) -> None:
        self._stop.set()
        self.thread.join(timeout=60)
        self.engine.dispose()

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                with self.engine.connect() as connection:
                    row = tuple(connection.execute(sqlalchemy.text(WHOLE_VERSION)).one())
                self.queries += 1
                version = whole_version(row)[0]
                if not self.versions or self.versions[-1] != version:
                    self.versions.append(version)
            except HalfVersion as mixed:
                self.half_versions.append(str(mixed))
            except Exception as error:
                self.errors.append(f"{type(error).__name__}: {error}")
            time.sleep(0.002)


@dataclass
class Race:
    publishes: int
    publish_seconds: list[float]
    last_version: str
    process: dict  # what bi_reader.py printed
    pooled: PooledReader


def race(warehouse: Path, published: Path, publishes: int) -> Race:
    """Publish `publishes` versions back to back, each a customer smaller, under both readers.
    The published file must exist already (the readers open it)."""
    stop = published.with_name("stop-readers")
    stop.unlink(missing_ok=True)
    reader = subprocess.Popen([sys.executable, str(READER), str(published), str(stop)],
                              stdout=subprocess.PIPE, text=True)
    pooled = PooledReader(published).start()
    seconds, version = [], ""
    try:
        for number in range(publishes):
            drop_a_customer(warehouse)
            started = time.perf_counter()
            version = publish_marts(warehouse, published, run_id=f"race-{number}").version
            seconds.append(time.perf_counter() - started)
        time.sleep(0.2)  # both readers query the last version too
    finally:
        stop.touch()
        output, _ = reader.communicate(timeout=120)
        pooled.stop()
    return Race(publishes, seconds, version, json.loads(output), pooled)
