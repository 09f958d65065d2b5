"""Finding an erased person anywhere the product keeps data: the values their records carry
in the export files, and a scan of the warehouse, every published version and every file
beside them."""

import csv
import gzip
import re
import unicodedata
from collections import defaultdict
from pathlib import Path

import duckdb

from cdp.orchestration.resources import CdpSettings
from cdp.publishing.publish import versions_folder
from tests.helpers import query

# The sources a person must be on to be erased in these tests; email, app and chat records
# they have are erased too.
SOURCES = ("website", "crm", "social", "pos")
EVERY_SOURCE = (*SOURCES, "email", "app", "chat")


def ground_truth(sample_dir: Path) -> dict[str, set[tuple[str, str]]]:
    people = defaultdict(set)
    with (sample_dir / "ground_truth.csv").open(newline="") as handle:
        for row in csv.DictReader(handle):
            people[row["person_id"]].add((row["source"], row["record_id"]))
    return people


def second_night_text(sample_dir: Path) -> str:
    return "\n".join(
        (gzip.decompress(path.read_bytes()) if path.suffix == ".gz" else path.read_bytes())
        .decode("utf-8", errors="ignore")
        for path in (sample_dir / "next_night").rglob("*") if path.is_file())


def cleanly_resolved_person(warehouse: Path, sample_dir: Path):
    """A person on every source, with records in both nights' files, whose customer holds
    exactly their records: erasing it must leave every other customer as it was. Not one who
    typed a junk value ("0123456789", excluded or set aside as no number): the scan looks for
    their values in every file, and digits that common turn up in unrelated text."""
    people = ground_truth(sample_dir)
    with_junk = {(source, record_id) for source, record_id in query(warehouse, """
        select identifiers.source, identifiers.record_id
        from intermediate.int_identifiers_unioned as identifiers
        inner join intermediate.int_identifiers_excluded using (identifier_type, identifier_value)
        union
        select source, record_id from marts.data_issues""")}
    customer_of = {(source, record_id): customer for customer, source, record_id in query(
        warehouse, "select customer_id, source, record_id from marts.customer_records")}
    records_of = defaultdict(set)
    for record, customer in customer_of.items():
        records_of[customer].add(record)
    # A chat account that never shared a phone or email is nobody the data can name: it is no
    # part of the person a request finds (and no record of theirs the scan looks for).
    unlinkable = {(source, record_id) for source, record_id in query(warehouse, """
        select source, record_id from marts.customer_records as records
        where source = 'chat' and not exists (
            select 1 from intermediate.int_identifiers_unioned as identifiers
            where identifiers.source = records.source
                and identifiers.record_id = records.record_id)""")}
    second_night = second_night_text(sample_dir)
    # The person on the most sources first: their email and app records must go too.
    people = {person: records - unlinkable for person, records in people.items()}
    for person, records in sorted(people.items(), key=lambda item: (
            -len({source for source, _ in item[1]}), item[0])):
        if not set(SOURCES) <= {source for source, _ in records} or records & with_junk:
            continue
        customers = {customer_of.get(record) for record in records}
        if len(customers) != 1 or records_of[customers.pop()] != records:
            continue
        if not any(record_id in second_night for _, record_id in records):
            continue
        return person, records
    raise AssertionError("the sample has no cleanly resolved person on every source")


def what_names_them(exports: Path, records: set[tuple[str, str]]) -> dict[str, set[str]]:
    """Every email, phone and name written on the person's records in the export files, and
    their record ids: what no place may hold after erasure."""
    found = {"emails": set(), "phones": set(), "names": set(), "ids": set()}
    found["ids"] = {record_id for _, record_id in records}
    ids = {source: {record_id for s, record_id in records if s == source}
           for source in EVERY_SOURCE}
    columns = {"crm": ("Record ID", ["Email"], ["Phone Number", "Mobile Phone Number"],
                       ["First Name", "Last Name"]),
               "social": ("id", ["email"], ["phone_number"], ["full_name"]),
               "pos": ("Name", ["Email"], ["Billing Phone"], ["Billing Name"]),
               "email": ("EUID", ["Email Address"], ["Phone Number"],
                         ["First Name", "Last Name"])}
    others_names = set()
    for source, (key, emails, phones, names) in columns.items():
        for path in (exports / source).rglob("*members_export*.csv" if source == "email"
                                             else "*.csv"):
            with path.open(newline="", encoding="utf-8") as handle:
                for row in csv.DictReader(handle):
                    written = {f"{row['Last Name']} {row['First Name']}".strip()} \
                        if source in ("crm", "email") else {row[c] for c in names}
                    written = {unicodedata.normalize("NFC", name).lower() for name in written}
                    if row[key] not in ids[source]:
                        others_names |= written
                        continue
                    found["emails"] |= {row[c] for c in emails if "@" in row[c]}
                    found["phones"] |= {re.sub(r"\D", "", row[c])[-9:]
                                        for c in phones if len(re.sub(r"\D", "", row[c])) >= 9}
                    found["names"] |= written
    # A name someone else also wrote is theirs too: only names the person alone carries count.
    found["names"] = {name for name in found["names"] - others_names if len(name) >= 8}
    return found


def patterns_of(found: dict[str, set[str]]) -> list[re.Pattern]:
    patterns = [re.compile(re.escape(email.strip()), re.IGNORECASE) for email in found["emails"]]
    patterns += [re.compile(r"[\s.\-()]{0,2}".join(phone)) for phone in found["phones"]]
    patterns += [re.compile(rf"(?<![0-9A-Za-z]){re.escape(record_id)}(?![0-9A-Za-z])")
                 for record_id in found["ids"]]
    patterns += [re.compile(re.escape(name), re.IGNORECASE) for name in found["names"]]
    return patterns


def database_hits(connection: duckdb.DuckDBPyConnection, patterns: list[re.Pattern],
                   relations: list[str]) -> list[str]:
    hits = []
    for relation in relations:
        for row in connection.execute(f"select * from {relation}").fetchall():
            text = " ".join(str(value) for value in row if value is not None)
            text = unicodedata.normalize("NFC", text)
            hits += [f"{relation}: {p.pattern}" for p in patterns if p.search(text)]
    return hits


def warehouse_relations(connection: duckdb.DuckDBPyConnection) -> list[str]:
    return [f'"{schema}"."{table}"' for schema, table in connection.execute("""
        select table_schema, table_name from information_schema.tables
        where table_catalog = current_database() and table_schema != 'reference'
        order by 1, 2""").fetchall()]


def file_hits(folder: Path, patterns: list[re.Pattern]) -> list[str]:
    hits = []
    for path in folder.rglob("*"):
        if not path.is_file() or path.suffix in (".duckdb", ".parquet", ".wal"):
            continue
        text = unicodedata.normalize("NFC", path.read_bytes().decode("utf-8", errors="ignore"))
        hits += [f"{path}: {p.pattern}" for p in patterns if p.search(text)]
    return hits


def everywhere(settings: CdpSettings, patterns: list[re.Pattern]) -> list[str]:
    warehouse = Path(settings.warehouse)
    with duckdb.connect(str(warehouse), read_only=True) as connection:
        hits = database_hits(connection, patterns, warehouse_relations(connection))
    with duckdb.connect() as connection:
        for parquet in versions_folder(Path(settings.published_warehouse)).rglob("*.parquet"):
            hits += database_hits(connection, patterns, [f"read_parquet('{parquet}')"])
    # The warehouse's folder holds dlt's packages and state, the run logs, the privacy store
    # and Dagster's run storage.
    for folder in (warehouse.parent, Path(settings.reports_dir),
                   Path(settings.published_warehouse).parent):
        hits += file_hits(folder, patterns)
    return hits
