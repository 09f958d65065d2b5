"""A BI tool reflects the published file as Superset does, through SQLAlchemy and duckdb-engine
at the versions the lock pins: schemas, the marts (views over the current version's Parquet
files, by design), every column with its type, the keys and indexes its table panel asks for,
and a query."""

from pathlib import Path

import duckdb
import pytest
import sqlalchemy
from sqlalchemy import MetaData, Table, create_engine, func, inspect, select
from sqlalchemy.types import NullType

from cdp.publishing.publish import publish_marts


@pytest.fixture(scope="module")
def published(built_sample: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    return publish_marts(built_sample, tmp_path_factory.mktemp("bi") / "published" / "cdp.duckdb",
                         run_id="bi-reflection").path


# duckdb-engine warns that it reflects no index; it answers with none, which is the truth.
@pytest.mark.filterwarnings("ignore:duckdb-engine doesn't yet support reflection on indices")
def test_superset_reflects_every_mart_with_its_column_types(published):
    with duckdb.connect(str(published), read_only=True) as connection:
        [(customers_count,)] = connection.execute("select count(*) from marts.customers").fetchall()
        expected = {
            view: [(column, data_type) for column, data_type, *_ in
                   connection.execute(f"describe marts.{view}").fetchall()]
            for (view,) in connection.execute("""
                select view_name from duckdb_views() where schema_name = 'marts'
                order by view_name""").fetchall()
        }
    assert {"customers", "customer_records", "identity_links", "orders"} <= set(expected)
    engine = create_engine(f"duckdb:///{published}", connect_args={"read_only": True})

    with engine.connect() as connection:
        inspector = inspect(connection)
        # duckdb-engine names each schema after the file's catalog as well.
        assert {"cdp.marts", "cdp.cdp_meta"} <= set(inspector.get_schema_names())
        for schema in ("marts", "cdp.marts"):
            # Views by design (see orchestration/publishing/publish.py): no base table.
            assert inspector.get_table_names(schema) == []
            assert sorted(inspector.get_view_names(schema)) == sorted(expected)
        for view, columns in expected.items():
            reflected = inspector.get_columns(view, schema="marts")
            assert [column["name"] for column in reflected] == [name for name, _ in columns]
            untyped = [column["name"] for column in reflected
                       if isinstance(column["type"], NullType)]
            assert untyped == [], f"{view}: no type for {untyped}"
            # What Superset's table panel asks besides the columns; none may fail.
            assert inspector.get_pk_constraint(view, schema="marts")["constrained_columns"] == []
            assert inspector.get_foreign_keys(view, schema="marts") == []
            assert inspector.get_indexes(view, schema="marts") == []
            assert inspector.get_table_comment(view, schema="marts")["text"] is None
        types = {column["name"]: column["type"]
                 for column in inspector.get_columns("customers", schema="marts")}
        assert isinstance(types["customer_id"], sqlalchemy.String)
        assert isinstance(types["orders_count"], sqlalchemy.BigInteger)
        assert isinstance(types["net_revenue"], sqlalchemy.Numeric)
        assert isinstance(types["last_seen_at"], sqlalchemy.DateTime)

        # A chart's query, on a table reflected the way Superset builds a dataset.
        customers = Table("customers", MetaData(), schema="marts", autoload_with=connection)
        [(count,)] = connection.execute(select(func.count()).select_from(customers)).fetchall()
    assert count == customers_count > 0
