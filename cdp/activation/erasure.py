"""Erasure of a person from activation (`cdp privacy erase`).

- Every destination that holds them is owed a removal: their rows of the delivery record move
  to `activation.erased_member_removals`, which the erasure of the warehouse leaves alone and
  the next delivery sends and empties (cdp/activation/state.py).
- Every row of a file destination's adds file (Meta, Google Ads, CSV: the registry's upload
  files) written so far that holds one of their identifiers — plain, or hashed as that
  platform wants it — or their customer id is removed, in place. Removes files keep theirs:
  they are what takes the person out of the tool.
"""

import csv
import io
import os
from pathlib import Path

import duckdb
import pyarrow as pa

from cdp.activation.destinations.files import UploadFile
from cdp.activation.destinations.registry import DESTINATIONS
from cdp.activation.state import (
    ERASED_REMOVALS_TABLE,
    STATE_TABLE,
    Change,
    create_state_tables,
    table_exists,
)


def owe_removals_of_erased(connection: duckdb.DuckDBPyConnection,
                           customer_ids: list[str], values: set[str]) -> int:
    """In the erasure's transaction, before the warehouse is swept: every delivered row of the
    person's (by customer id, or by an email or phone that is theirs alone) becomes a removal
    owed to its destination. Returns how many (none before a first delivery)."""
    if not table_exists(connection, STATE_TABLE):
        return 0
    create_state_tables(connection)  # a record from before the removals table existed
    connection.register("erased_person", pa.table({
        "value": pa.array(sorted(set(customer_ids) | values), pa.string())}))
    try:
        return connection.execute(f"""
            insert or ignore into {ERASED_REMOVALS_TABLE}
            select destination, audience_name, customer_id, email, phone, now()
            from {STATE_TABLE}
            where customer_id in (select value from erased_person)
                or email in (select value from erased_person)
                or phone in (select value from erased_person)""").fetchone()[0]
    finally:
        connection.unregister("erased_person")


EMAIL_SPELLINGS = "intermediate.int_customer_email_spellings"


def delivered_identifiers_of(connection: duckdb.DuckDBPyConnection,
                             customer_ids: list[str]) -> list[tuple[str, str]]:
    """Before the warehouse is swept: every form of the person's email and phone a delivery
    may have written into an upload file (each email on their records as written, earlier
    addresses too, and what the delivery record says was sent), as (kind, value). A value
    another customer also has (a family inbox, a household phone) is left out: their rows must
    stay."""
    if not customer_ids:
        return []
    parts = []
    if table_exists(connection, EMAIL_SPELLINGS):
        parts.append(f"select 'email', email_written, customer_id from {EMAIL_SPELLINGS}")
    if table_exists(connection, STATE_TABLE):
        parts += [f"select 'email', email, customer_id from {STATE_TABLE}",
                  f"select 'phone', phone, customer_id from {STATE_TABLE}"]
    if not parts:
        return []
    return connection.execute(f"""
        with forms (kind, value, customer_id) as ({" union ".join(parts)})
        select kind, value from forms
        where value is not null
        group by kind, value
        having bool_and(list_contains($customers, customer_id))
        order by 1, 2""", {"customers": customer_ids}).fetchall()


def person_tokens(identifiers: list[tuple[str, str]], customer_ids: list[str]) -> set[str]:
    """The values that name the person in an upload file: their customer ids, and each of
    their emails and phones as every file destination writes it (plain, or hashed as that
    platform wants it), by its own `row`."""
    tokens = set(customer_ids)
    file_destinations = [destination for destination in DESTINATIONS.values()
                         if isinstance(destination, UploadFile)]
    for kind, value in identifiers:
        if kind not in ("email", "phone"):
            continue
        change = Change("", "remove", "", value if kind == "email" else None,
                        value if kind == "phone" else None)
        for destination in file_destinations:
            tokens.update(destination.row(change))
    return {token for token in tokens if token}


def erase_from_upload_files(folder: Path, identifiers: list[tuple[str, str]],
                            customer_ids: list[str], dry_run: bool = False) -> dict[str, int]:
    """Rows removed per adds file (relative to `folder`). A removes file keeps its rows: it is
    the instruction that takes the person out of the tool, which may not have taken it yet (and
    the delivery record no longer holds them, so no later delivery would send it again). Each
    file keeps its modification time, which its retention counts from."""
    tokens = person_tokens(identifiers, customer_ids)
    removed: dict[str, int] = {}
    if not tokens or not folder.exists():
        return removed
    for leftover in [] if dry_run else folder.rglob(".*.erasing"):  # of an interrupted one
        leftover.unlink(missing_ok=True)
    for path in sorted(folder.rglob("*.csv")):
        if path.name.endswith("-removes.csv"):
            continue
        rows = list(csv.reader(io.StringIO(path.read_text(encoding="utf-8"))))
        kept = [row for row in rows if not tokens.intersection(row)]
        if len(kept) == len(rows):
            continue
        if dry_run:
            removed[str(path.relative_to(folder))] = len(rows) - len(kept)
            continue
        written = path.stat()
        staged = path.with_name(f".{path.name}.erasing")
        handle = os.open(staged, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, written.st_mode & 0o777)
        with os.fdopen(handle, "w", newline="", encoding="utf-8") as out:
            csv.writer(out).writerows(kept)
        os.utime(staged, ns=(written.st_atime_ns, written.st_mtime_ns))
        os.replace(staged, path)
        removed[str(path.relative_to(folder))] = len(rows) - len(kept)
    return removed
