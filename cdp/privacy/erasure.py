"""Erasing a person from every place the product keeps them.

Order of work, each step counted in the request's audit row:
1. the warehouse, in one transaction: the person's POS orders are kept as anonymous sales
   (the columns their spec keeps — amounts, dates, products, store — under a pseudonymous
   order name `erased-…`; every other column emptied), then every row of every table that
   names them is deleted: raw tables (every version), quarantine, dlt's staging copies,
   staging and intermediate tables (incremental ones included) and marts;
2. dbt rebuilds the models, so totals and golden records are recomputed without them: the
   models reading a raw table rewritten in place (the anonymized sales) from all of history,
   every other model incrementally (what the deletions changed);
3. every published version: rows naming them are removed from each Parquet file;
4. dlt's working folder: completed load packages (copies of loaded rows) and run traces;
5. the quality reports and run logs: their identifiers, ids and names are redacted in place.
The suppression list then keeps any later record carrying their identifiers out at ingestion.
"""

import json
import os
import shutil
import sqlite3
from collections.abc import Iterator
from pathlib import Path

import duckdb

from cdp.core.identifiers import email_key, phone_key, salted_hash
from cdp.privacy.anonymous_sales import ERASED_ORDER_PREFIX
from cdp.privacy.mentions import Mentions
from cdp.privacy.subjects import Subject

REDACTED = "[erased]"
# Text files in reports and logs are rewritten; anything else there (images, databases) is not
# written by the product with personal data in it.
_TEXT_SUFFIXES = {".json", ".html", ".htm", ".md", ".txt", ".log", ".csv", ".jsonl", ".yml",
                  ".yaml", ".xml"}
# Text columns holding free text, where an identifier is looked for anywhere inside (besides
# every JSON column): lines set aside, a check's examples, what people wrote in chat.
_FREE_TEXT_COLUMNS = ("raw_text", "examples", "message_text")
# Schemas the erasure never touches: seeds are configuration the user wrote.
_UNTOUCHED_SCHEMAS = {"reference", "information_schema", "pg_catalog"}


def own_identifiers(connection: duckdb.DuckDBPyConnection,
                    subject: Subject) -> list[tuple[str, str]]:
    """The subject's identifiers that no record outside the subject carries (describe_subject
    first: it lists the subject's records in `subject_records`)."""
    if not subject.identifiers:
        return []
    connection.execute("create or replace temp table subject_identifiers "
                       "(identifier_type varchar, identifier_value varchar)")
    connection.executemany("insert into subject_identifiers values (?, ?)",
                           subject.identifiers)
    return connection.execute("""
        select identifier_type, identifier_value from subject_identifiers as theirs
        where not exists (
            select 1 from intermediate.int_identifiers_unioned as others
            where others.identifier_type = theirs.identifier_type
                and others.identifier_value = theirs.identifier_value
                and others.record_key not in (select record_key from subject_records)
        )
        order by 1, 2""").fetchall()


def suppression_hashes(salt: str, subject: Subject,
                       own: list[tuple[str, str]]) -> dict[str, str]:
    """hash -> kind for everything that would bring the person back at ingestion."""
    hashes = {}
    for kind, value in own:
        if kind == "email" and (key := email_key(value)):
            hashes[salted_hash(salt, "email", key)] = "email"
        elif kind == "phone" and (key := phone_key(value)):
            hashes[salted_hash(salt, "phone", key)] = "phone"
        elif kind == "user_id":
            hashes[salted_hash(salt, "record", f"user_id:{value}")] = "record"
    for source, record_id in subject.records:
        hashes[salted_hash(salt, "record", f"{source}:{record_id}")] = "record"
    return hashes


def load_erased_values(connection: duckdb.DuckDBPyConnection, mentions: Mentions) -> None:
    connection.execute("create or replace temp table erased_values (value varchar)")
    connection.executemany("insert into erased_values values (?)",
                           [(value,) for value in sorted(mentions.exact)])


def tables_mentioning(connection: duckdb.DuckDBPyConnection,
                      mentions: Mentions) -> Iterator[tuple[str, str, list]]:
    """(relation, condition, parameters) for every table of the database that may name the
    person; `load_erased_values` first. Seeds (`reference`) are the user's configuration."""
    text_regex = mentions.sql_regex()
    for schema, table in connection.execute("""
            select table_schema, table_name from information_schema.tables
            where table_type = 'BASE TABLE' and table_catalog = current_database()
            order by 1, 2""").fetchall():
        if schema in _UNTOUCHED_SCHEMAS:
            continue
        columns = connection.execute("""
            select column_name, data_type from information_schema.columns
            where table_schema = ? and table_name = ? and table_catalog = current_database()
            order by ordinal_position""", [schema, table]).fetchall()
        condition = _row_mentions(columns, text_regex)
        if condition is not None:
            yield (f'"{schema}"."{table}"', condition,
                   [text_regex] * condition.count("?"))


def erase_from_warehouse(connection: duckdb.DuckDBPyConnection, subject: Subject,
                         mentions: Mentions, salt: str,
                         kept_until_notified: frozenset[str] = frozenset(),
                         dry_run: bool = False) -> dict[str, int]:
    """Step 1 of the module docstring, in the caller's transaction; rows per table (with
    `dry_run`, the rows it would touch, touching none).

    `kept_until_notified`: tables (schema.table) left as they are, because they hold what a
    recipient of the person's data must still be told of the erasure with (activation's owed
    removals); their owner deletes each row once the recipient confirmed it."""
    removed: dict[str, int] = {}
    load_erased_values(connection, mentions)
    anonymized = _anonymize_sales(connection, subject, salt, dry_run)
    removed.update(anonymized)
    # A preview renames nothing: the sales it would keep still carry the person's order names,
    # and would be counted again as deleted.
    kept_as_sales = {place.split(" ")[0]: count for place, count in anonymized.items()
                     } if dry_run else {}
    for relation, condition, parameters in list(tables_mentioning(connection, mentions)):
        if relation.replace('"', "") in kept_until_notified:
            continue
        count = connection.execute(f"select count(*) from {relation} where {condition}",
                                   parameters).fetchone()[0]
        count -= kept_as_sales.get(relation.replace('"', ""), 0)
        if count and not dry_run:
            connection.execute(f"delete from {relation} where {condition}", parameters)
        if count:
            removed[relation.replace('"', "")] = count
    return removed


def _row_mentions(columns: list[tuple], text_regex: str | None) -> str | None:
    """A row names the person when a text column equals one of their values, or free text (a
    line set aside, a JSON document) contains one of their identifiers."""
    tests = []
    for name, data_type, *_ in columns:
        if data_type not in ("VARCHAR", "JSON"):
            continue
        if name.startswith("_dlt") or name in ("_record_hash", "_source_file"):
            continue
        quoted = f'"{name}"'
        tests.append(f"{quoted} in (select value from erased_values)")
        if text_regex and (data_type == "JSON" or name in _FREE_TEXT_COLUMNS):
            tests.append(f"regexp_matches(cast({quoted} as varchar), ?)")
    return " or ".join(tests) or None


def sources_anonymized(subject: Subject) -> list:
    """The enabled sources whose raw rows of this person an erasure keeps, anonymized in place
    (specs that keep columns when erased), rather than deletes."""
    from cdp.sources.registry import enabled_sources  # a source's package imports dlt: seconds

    systems = {system for system, _record_id in subject.records}
    return [source for source in enabled_sources()
            if source.spec.kept_when_erased and source.system in systems]


def anonymized_tables_selector(subject: Subject) -> list[str]:
    """dbt selections of the models reading the raw tables an erasure of this person rewrites
    in place: what reads only new loads must read those tables again from all of history."""
    return [f"source:{source.system}.{source.spec.table}+1"
            for source in sources_anonymized(subject)]


def _anonymize_sales(connection: duckdb.DuckDBPyConnection, subject: Subject,
                     salt: str, dry_run: bool = False) -> dict[str, int]:
    """The person's orders stay as sales with nobody's name on them (specs that keep columns
    when erased); the delete that follows takes every other row of theirs."""
    done = {}
    for source in sources_anonymized(subject):
        system, spec = source.system, source.spec
        record_ids = [record_id for of_system, record_id in subject.records
                      if of_system == system]
        relation = f"{source.dataset}.{spec.table}"
        key = spec.normalized_key_column
        columns = [row[0] for row in connection.execute(
            "select column_name from information_schema.columns "
            "where table_schema = ? and table_name = ? and table_catalog = current_database()",
            [source.dataset, spec.table]).fetchall()]
        kept = set(spec.normalized_kept_when_erased) | {key} | {
            column for column in columns if column.startswith("_dlt") or column in (
                "_record_hash", "_source_file", "line_position")}
        emptied = [f'"{column}" = null' for column in columns if column not in kept]
        connection.execute("create or replace temp table erased_orders (record_id varchar)")
        connection.executemany("insert into erased_orders values (?)",
                               [(record_id,) for record_id in record_ids])
        if dry_run:
            done[f"{relation} (kept as anonymous sales)"] = connection.execute(
                f'select count(*) from {relation} '
                f'where "{key}" in (select record_id from erased_orders)').fetchone()[0]
            continue
        salted = f"{salt}:sale:".replace("'", "''")
        pseudonym = f"'{ERASED_ORDER_PREFIX}' || left(sha256('{salted}' || \"{key}\"), 16)"
        assignments = ", ".join([*emptied, f'"{key}" = {pseudonym}'])
        count = connection.execute(
            f'update {relation} set {assignments} '
            f'where "{key}" in (select record_id from erased_orders)').fetchone()[0]
        done[f"{relation} (kept as anonymous sales)"] = count
    return done


def erase_from_published(versions: Path, mentions: Mentions,
                         manifest_name: str = "manifest.json",
                         dry_run: bool = False) -> dict[str, int]:
    """Step 3: every published version (a folder of Parquet files and a manifest of row
    counts under `versions`), rewritten without the rows naming the person. Each file is
    replaced whole, and the manifest's counts are read back from the files, so an erasure
    interrupted half-way through a version is finished right by a rerun."""
    removed: dict[str, int] = {}
    if not versions.exists():
        return removed
    text_regex = mentions.sql_regex()
    with duckdb.connect() as connection:
        load_erased_values(connection, mentions)
        for folder in sorted(path for path in versions.iterdir() if path.is_dir()):
            changed = False
            manifest_path = folder / manifest_name
            manifest = json.loads(manifest_path.read_text()) if manifest_path.exists() else {}
            for leftover in [] if dry_run else folder.glob(".*.erasing"):  # interrupted
                leftover.unlink(missing_ok=True)
            for parquet in sorted(folder.glob("*.parquet")):
                source = f"read_parquet('{_quoted(parquet)}')"
                connection.execute(f"create or replace temp view version_table as "
                                   f"select * from {source}")
                condition = _row_mentions(
                    connection.execute("describe version_table").fetchall(), text_regex)
                if condition is None:
                    continue
                parameters = [text_regex] * condition.count("?")
                count = connection.execute(
                    f"select count(*) from version_table where {condition}",
                    parameters).fetchone()[0]
                if count:
                    removed[f"{folder.name}/{parquet.name}"] = count
                if not count or dry_run:
                    continue
                # `coalesce`: a NULL in a compared column makes the test NULL, which is not
                # a mention, and `not NULL` would drop the row.
                staged = parquet.with_name(f".{parquet.name}.erasing")
                connection.execute(
                    f"copy (select * from version_table where not coalesce({condition}, false)) "
                    f"to '{_quoted(staged)}' (format parquet)", parameters)
                staged.chmod(parquet.stat().st_mode & 0o777)  # as private as the version
                os.replace(staged, parquet)
                changed = True
            if changed and manifest:
                for name in manifest.get("tables", {}):
                    if (folder / f"{name}.parquet").exists():
                        manifest["tables"][name] = connection.execute(
                            "select count(*) from read_parquet(?)",
                            [str(folder / f"{name}.parquet")]).fetchone()[0]
                staged = manifest_path.with_name(f".{manifest_name}.erasing")
                staged.write_text(json.dumps(manifest, indent=2))
                staged.chmod(manifest_path.stat().st_mode & 0o777)
                os.replace(staged, manifest_path)
    return removed


def erase_from_pipelines(pipelines_dir: Path) -> dict[str, int]:
    """Step 4: loaded packages keep a copy of every loaded row; traces keep run details."""
    removed = {}
    if not pipelines_dir.exists():
        return removed
    for pipeline in sorted(path for path in pipelines_dir.iterdir() if path.is_dir()):
        packages = pipeline / "load" / "loaded"
        count = 0
        if packages.exists():
            for package in packages.iterdir():
                shutil.rmtree(package) if package.is_dir() else package.unlink()
                count += 1
        trace = pipeline / "trace.pickle"
        if trace.exists():
            trace.unlink()
            count += 1
        if count:
            removed[f"{pipeline.name} load packages and trace"] = count
    return removed


def redact_files(folder: Path | None, mentions: Mentions,
                 dry_run: bool = False) -> dict[str, int]:
    """Step 5: text files that mention the person, rewritten with `[erased]` in place."""
    removed: dict[str, int] = {}
    pattern = mentions.python_regex(with_names=True)
    if folder is None or pattern is None or not folder.exists():
        return removed
    for path in sorted(folder.rglob("*")):
        if not path.is_file() or path.suffix.lower() not in _TEXT_SUFFIXES:
            continue
        try:
            text = path.read_text(encoding="utf-8")
        except (UnicodeDecodeError, OSError):
            continue
        redacted, count = pattern.subn(REDACTED, text)
        if count and dry_run:
            removed[str(path.relative_to(folder))] = count
        elif count:
            staged = path.with_name(f".{path.name}.erasing")
            staged.write_text(redacted, encoding="utf-8")
            os.replace(staged, path)
            removed[str(path.relative_to(folder))] = count
    return removed


def erase_from_received_files(exports_dir: str, mentions: Mentions,
                              dry_run: bool = False) -> dict[str, int]:
    """The chat events `cdp receive` wrote to the exports folder (its completed files, under
    `chat/`): every line naming the person is taken out, the rest kept as they were. The
    product wrote these copies, so erasure reaches them; other files of the exports folder are
    the business's own systems' exports. A file the receiver is still writing is completed
    within its rotation age, and the suppression list keeps its lines out of the warehouse.
    A rewritten file is read again by the next load, which adds nothing it already holds."""
    from cdp.sources.chat.receiver.spool import FINAL_NAME  # the receiver's own names

    removed: dict[str, int] = {}
    pattern = mentions.python_regex(with_names=False)
    folder = Path(exports_dir) / "chat"
    if "://" in exports_dir or pattern is None or not folder.is_dir():
        return removed
    for path in sorted(folder.rglob("received_*.jsonl")):
        if not FINAL_NAME.match(path.name):
            continue
        lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
        kept = [line for line in lines if not pattern.search(line)]
        if len(kept) == len(lines):
            continue
        removed[str(path.relative_to(folder.parent))] = len(lines) - len(kept)
        if not dry_run:
            staged = path.with_name(f".{path.name}.erasing")
            staged.write_text("".join(kept), encoding="utf-8")
            os.replace(staged, path)
    return removed


def _quoted(path: Path) -> str:
    return str(path).replace("'", "''")


def redact_sqlite(folder: Path | None, mentions: Mentions,
                  dry_run: bool = False) -> dict[str, int]:
    """Step 5 for Dagster's own storage (SQLite files of runs and event logs): every text
    value that mentions the person (a check's failing examples, a log line), redacted."""
    removed: dict[str, int] = {}
    pattern = mentions.python_regex(with_names=True)
    if folder is None or pattern is None or not folder.exists():
        return removed
    for path in sorted(folder.rglob("*.db")):
        count = 0
        with sqlite3.connect(path) as connection:
            tables = [row[0] for row in connection.execute(
                "select name from sqlite_master where type = 'table'")]
            for table in tables:
                columns = [row[1] for row in connection.execute(f'pragma table_info("{table}")')
                           if row[2].upper() in ("TEXT", "VARCHAR", "") or "CHAR" in row[2].upper()]
                for column in columns:
                    rows = connection.execute(
                        f'select rowid, "{column}" from "{table}" '
                        f'where typeof("{column}") = \'text\'').fetchall()
                    for rowid, value in rows:
                        redacted, found = pattern.subn(REDACTED, value)
                        if found and not dry_run:
                            connection.execute(
                                f'update "{table}" set "{column}" = ? where rowid = ?',
                                [redacted, rowid])
                        count += found
        if count:
            removed[str(path.relative_to(folder))] = count
    return removed


def rewrite_database(path: Path) -> None:
    """A DuckDB file keeps deleted rows in its freed blocks until they are reused: copy what
    is left into a new file and put it in place of the old one (the caller holds the
    warehouse's lock, and no connection is open)."""
    fresh = path.with_name(f".{path.name}.erasing")
    fresh.unlink(missing_ok=True)
    with duckdb.connect() as connection:
        connection.execute(f"attach '{_quoted(path)}' as erased_from (read_only)")
        connection.execute(f"attach '{_quoted(fresh)}' as fresh")
        connection.execute("copy from database erased_from to fresh")
        connection.execute("detach fresh")
        connection.execute("detach erased_from")
    os.replace(fresh, path)
    path.with_name(f"{path.name}.wal").unlink(missing_ok=True)
