"""The published file's live slots: a query reads the version current when its transaction
began, a mart whose columns change reads without error in a pooled connection, and old versions
go while the slots' stay."""

from pathlib import Path

import duckdb
import sqlalchemy

from cdp.publishing.publish import (
    LIVE_SLOTS,
    current_manifest,
    live_folder,
    publish_marts,
    versions_folder,
)
from tests.publishing.publish_race import drop_a_customer, small_warehouse


def _published(tmp_path: Path) -> tuple[Path, Path]:
    warehouse, published = tmp_path / "warehouse.duckdb", tmp_path / "published" / "cdp.duckdb"
    small_warehouse(warehouse, customers=100)
    publish_marts(warehouse, published, run_id="first")
    return warehouse, published


def _count(connection, sql: str) -> int:
    return connection.execute(sqlalchemy.text(sql)).scalar()


def test_a_transaction_reads_the_version_current_when_it_began(tmp_path):
    warehouse, published = _published(tmp_path)
    with duckdb.connect(str(published), read_only=True) as connection:
        connection.execute("begin")
        before = connection.execute("select count(*) from marts.customers").fetchone()[0]
        drop_a_customer(warehouse)
        publish_marts(warehouse, published, run_id="second")
        during = connection.execute("""
            select (select count(*) from marts.customers), (select count(*) from marts.orders)
            """).fetchone()
        connection.execute("commit")
        after = connection.execute("select count(*) from marts.customers").fetchone()[0]

    assert during == (before, 2 * before)
    assert after == before - 1


def test_a_pooled_connection_reads_a_mart_whose_columns_change(tmp_path):
    warehouse, published = _published(tmp_path)
    engine = sqlalchemy.create_engine(f"duckdb:///{published}",
                                      connect_args={"read_only": True}, pool_size=2)
    try:
        with engine.connect() as connection:
            assert _count(connection, "select count(*) from marts.customers") == 100
        with duckdb.connect(str(warehouse)) as connection:
            connection.execute("alter table marts.customers add column segment varchar")
            connection.execute("update marts.customers set segment = 'loyal'")
            connection.execute("alter table marts.customers drop column email")
            connection.execute("alter table marts.orders alter amount type varchar")
        publish_marts(warehouse, published, run_id="columns")
        with engine.connect() as connection:  # the same pooled connection
            assert _count(connection, "select count(segment) from marts.customers") == 100
            # The dropped column reads empty while an older version is still live.
            assert _count(connection, "select count(email) from marts.customers") == 0
            assert _count(connection, "select count(*) from marts.orders "
                                      "where amount::varchar like '%0'") > 0
    finally:
        engine.dispose()


def test_old_versions_go_and_the_live_slots_stay(tmp_path):
    warehouse, published = _published(tmp_path)
    for number in range(5):
        drop_a_customer(warehouse)
        publish_marts(warehouse, published, run_id=f"again-{number}", keep_versions=2)

    slots = sorted(live_folder(published).iterdir())
    kept = sorted(versions_folder(published).iterdir())
    assert [slot.name for slot in slots] == [str(slot) for slot in range(LIVE_SLOTS)]
    assert sorted(slot.resolve() for slot in slots) == [path.resolve() for path in kept]
    assert kept[-1].name == current_manifest(published)["version"]
    with duckdb.connect(str(published), read_only=True) as connection:
        assert connection.execute("select count(*) from marts.customers").fetchone() == (95,)
