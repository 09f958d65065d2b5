"""Erasure end to end on a real nightly run: the person is gone from every place the product
keeps data, other customers are untouched, and re-delivered exports bring nothing back."""

import gzip
import re
from pathlib import Path

import duckdb

from cdp.activation.deliver import deliver
from cdp.privacy.store import PrivacyStore
from cdp.privacy_requests.requests import Selector, erase, export
from tests.helpers import query, run_ingest, run_transform
from tests.privacy_requests.traces import (
    EVERY_SOURCE,
    cleanly_resolved_person,
    database_hits,
    everywhere,
    patterns_of,
    warehouse_relations,
    what_names_them,
)


def test_an_erased_person_is_gone_everywhere_and_never_comes_back(
        nightly, privacy_sample, tmp_path, monkeypatch):
    monkeypatch.setenv("CDP_PRIVACY_SALT", "a-test-salt")
    warehouse = Path(nightly.warehouse)
    exports = Path(nightly.exports_dir)
    _, records = cleanly_resolved_person(warehouse, privacy_sample)
    found = what_names_them(exports, records)
    patterns = patterns_of(found)
    assert everywhere(nightly, patterns), "the scan finds the person before erasure"
    others_before = query(warehouse, """
        select customer_id, records_count, orders_count, net_revenue from marts.customers
        order by 1""")
    orders_before = query(warehouse, "select count(*), sum(total) from marts.orders")
    email = sorted(found["emails"])[0]

    access = export(nightly, Selector(email=email.upper()), requested_by="the person",
                    reason="right of access", out_dir=tmp_path / "access")
    assert {(source, record_id) for source, record_id in access.subject.records} == records

    result = erase(nightly, Selector(email=f"  {email.upper()} "), requested_by="the person",
                   reason="erasure request under Decree 13")

    assert set(result.subject.records) == records and not result.notes
    # Left only where the removal owed to each destination that held them waits to be sent;
    # the next delivery sends it, and then only the removes file handed to the email tool
    # (plain identifiers, which it matches on) still names them.
    owed = '"activation"."erased_member_removals"'
    assert {hit.split(":")[0] for hit in everywhere(nightly, patterns)} <= {owed}
    delivered = [deliver(destination, warehouse, nightly.activation_dir, "after-erasure")
                 for destination in ("csv", "meta", "google_ads")]
    assert not [report.failures for report in delivered if report.failures]
    removes_files = {path for report in delivered for path in report.files
                     if path.endswith("-removes.csv")}
    assert {hit.split(": ")[0] for hit in everywhere(nightly, patterns)} <= removes_files
    for path in removes_files:
        Path(path).unlink()  # taken by the tools
    assert everywhere(nightly, patterns) == []
    [customer_id] = result.subject.customer_ids
    others_after = query(warehouse, """
        select customer_id, records_count, orders_count, net_revenue from marts.customers
        order by 1""")
    assert others_after == [row for row in others_before if row[0] != customer_id]
    # Every published version lost their rows and nobody else's.
    for role_file in ("cdp.duckdb", "cdp_analyst.duckdb"):
        with duckdb.connect(str(Path(nightly.published_warehouse).with_name(role_file)),
                            read_only=True) as connection:
            assert connection.execute("select count(*) from marts.customers").fetchone() == (
                len(others_after),), role_file
    # Their orders stay as anonymous sales: revenue totals are unchanged.
    assert query(warehouse, "select count(*), sum(total) from marts.orders") == orders_before
    [(kind, customers, record_count, removed)] = query(
        warehouse.parent / "privacy" / "privacy.duckdb",
        "select kind, customers_matched, records_matched, removed from privacy_requests "
        "where kind = 'erase'")
    assert (kind, customers, record_count) == ("erase", 1, len(records))
    assert '"warehouse: raw_crm.contacts"' in removed

    # Old exports re-delivered under new names (new content fingerprints) and a new lead with
    # their email written another way: dropped at ingestion, and said so.
    redelivered = tmp_path / "redelivered"
    for source in EVERY_SOURCE:
        (redelivered / source).mkdir(parents=True)
        for path in (exports / source).rglob("*"):
            if not path.is_file():
                continue
            data = path.read_bytes()
            # A Mailchimp member file's name is its status: keep its prefix.
            name = f"{path.name.removesuffix('.csv')}-again.csv" if path.suffix == ".csv" \
                else f"again-{path.name}"
            if path.suffix == ".gz":
                data, name = gzip.decompress(data), name.removesuffix(".gz")
            target = redelivered / path.relative_to(exports).with_name(name)
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(data + b"\n")
    lead_file = next((exports / "social").glob("*.csv"))
    header = lead_file.read_text(encoding="utf-8").splitlines()[0]
    (redelivered / "social" / "new-lead.csv").write_text(
        header + "\nl:999,2026-11-24T10:00:00+0700,1,a,1,a,1,a,1,a,false,fb,Someone,"
        f"{email.upper()},,\n", encoding="utf-8")
    report = run_ingest(redelivered, warehouse)
    dropped = sum(file.records_suppressed for system in report.systems for file in system.files)
    assert dropped >= len(records)
    assert PrivacyStore(warehouse).suppression() is not None
    run_transform(warehouse)
    with duckdb.connect(str(warehouse), read_only=True) as connection:
        assert database_hits(connection, patterns, warehouse_relations(connection)) == []
    assert query(warehouse, "select count(*) from marts.customers") == [(len(others_after),)]


def _published_tables(path: Path) -> dict[str, list[tuple]]:
    with duckdb.connect(str(path), read_only=True) as connection:
        names = [row[0] for row in connection.execute("""
            select table_name from information_schema.tables
            where table_schema = 'marts' order by 1""").fetchall()]
        return {name: connection.execute(f'select * from marts."{name}"').fetchall()
                for name in names}


def test_each_role_reads_only_what_it_may(nightly):
    published = Path(nightly.published_warehouse)
    email = re.compile(r"[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)*\.[a-z]{2,}")
    phone = re.compile(r"^(\+?84|0)[1-9][0-9]{8,9}$")

    def shaped(tables: dict[str, list[tuple]]) -> list[str]:
        return [f"{name}: {value}" for name, rows in tables.items() for row in rows
                for value in row if isinstance(value, str) and (
                    email.search(value) or phone.match(re.sub(r"[\s.()-]", "", value)))]

    admin = _published_tables(published)
    assert shaped(admin), "the full database holds emails and phones"
    analyst = _published_tables(published.with_name("cdp_analyst.duckdb"))
    assert set(analyst) == set(admin)
    assert shaped(analyst) == []
    with duckdb.connect(str(published.with_name("cdp_analyst.duckdb")),
                        read_only=True) as connection:
        names = [row[0] for row in connection.execute(
            "select full_name from marts.customers where full_name is not null").fetchall()]
    assert names and all(re.fullmatch(r"(\S\.)( \S\.)*", name) for name in names)
    assert len(analyst["customers"]) == len(admin["customers"])

    marketing = _published_tables(published.with_name("cdp_marketing.duckdb"))
    assert set(marketing) == {"customers", "customer_consents", "customer_segments"}
    with duckdb.connect(str(published), read_only=True) as connection:
        consenting = {row[0] for row in connection.execute("""
            select distinct customer_id from marts.customer_consents
            where status = 'granted'
                and purpose in ('email_marketing', 'sms_marketing', 'advertising')""").fetchall()}
    with duckdb.connect(str(published.with_name("cdp_marketing.duckdb")),
                        read_only=True) as connection:
        for table in marketing:
            held = {row[0] for row in connection.execute(
                f"select distinct customer_id from marts.{table}").fetchall()}
            assert held <= consenting, table
        assert {row[0] for row in connection.execute(
            "select customer_id from marts.customers").fetchall()} == consenting


def test_files_holding_identifiers_are_kept_from_other_local_users(nightly):
    published = Path(nightly.published_warehouse)

    def modes(views_file: Path) -> set[int]:
        versions = views_file.with_name(f"{views_file.stem}.versions")
        files = [views_file, *versions.glob("*/*")]
        return {path.stat().st_mode & 0o777 for path in files} | {
            path.stat().st_mode & 0o777 for path in [versions, *versions.glob("*")]}

    # admin's and marketing's files hold emails and phones; the analyst's holds none.
    assert modes(published) == {0o640, 0o750}
    assert modes(published.with_name("cdp_marketing.duckdb")) == {0o640, 0o750}
    assert modes(published.with_name("cdp_analyst.duckdb")) == {0o644, 0o755}
