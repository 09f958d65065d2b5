"""The dlt resource that loads one system's export files: incremental by file content, every row
keyed by its natural key plus a content hash, bad rows set aside in the dataset's quarantine."""

import logging
import tempfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import dlt
import duckdb
import pyarrow as pa
from dlt.extract.items import DataItemWithMeta
from dlt.extract.resource import DltResource
from dlt.extract.source import DltSource

from cdp.ingestion.csv_reader import read_csv_export
from cdp.ingestion.files import ExportFile, UnreadableFile, list_export_files
from cdp.ingestion.jsonl_reader import read_jsonl_export
from cdp.ingestion.quarantine import (
    QUARANTINE_KEY,
    QUARANTINE_TABLE,
    QuarantinedRow,
    quarantine_table,
)
from cdp.ingestion.read_result import FileProblem
from cdp.ingestion.schema_drift import drift_warnings
from cdp.ingestion.spec import ExportSpec
from cdp.ingestion.suppression import Suppression
from cdp.ingestion.text_lines import with_newline_line_ends
from cdp.ingestion.typed_records import (
    AmountSettings,
    documented_columns,
    normalized_name,
    type_records,
)

FILES_TABLE = "export_files"
_FILES_KEY = ("source_file", "file_fingerprint", "status")
# Insert-only: a row whose key (natural key + content hash) is already stored is skipped, so
# re-delivered files add nothing and history is never rewritten.
_INSERT_ONLY = {"disposition": "merge", "strategy": "insert-only"}
# Per-file progress for whoever shows it (the `cdp` command); never row contents.
_log = logging.getLogger("cdp.ingestion")


@dataclass
class FileOutcome:
    """What happened to one export file in this run; also a row of the `export_files` table."""

    source_file: str
    file_url: str
    file_fingerprint: str
    size_bytes: int
    modified_at: str
    status: str  # loaded | empty | duplicate | failed | ignored
    records_read: int = 0
    records_quarantined: int = 0
    detail: str = ""
    warnings: str = ""  # schema drift and renamed columns, "; "-separated
    records_suppressed: int = 0  # dropped: they carry an erased person's identifier
    columns: list[str] = field(default_factory=list)  # the file's header (not stored)


def record_key(spec: ExportSpec) -> tuple[str, ...]:
    """The raw table's primary key: natural key (+ line position) + content hash."""
    natural = tuple(normalized_name(column) for column in spec.key_columns)
    position = ("line_position",) if spec.position_within else ()
    return (*natural, *position, "_record_hash")


def export_resource(
    spec: ExportSpec, exports_dir: str, outcomes: list[FileOutcome] | None = None,
    amounts: AmountSettings | None = None, suppression: Suppression | None = None,
) -> DltResource:
    """A resource over `<exports_dir>/<system>/`; appends each new file's outcome to `outcomes`.
    A file that cannot be read is set aside with its reason; it never stops the others. Records
    of erased people (`suppression`) are dropped and counted, never stored."""
    outcomes = outcomes if outcomes is not None else []
    amounts = amounts or AmountSettings()

    @dlt.resource(
        name=spec.table,
        write_disposition=_INSERT_ONLY,
        primary_key=record_key(spec),
    )
    def read_new_files() -> Iterator:
        state = dlt.current.resource_state()
        loaded: dict[str, str] = state.setdefault("loaded_fingerprints", {})
        # A local file's fingerprint by its signature: a file loaded before and unchanged since
        # is not read again (a night's cost follows its new files, not the folder's history).
        signatures: dict[str, list] = state.setdefault("file_signatures", {})
        columns_seen: list[str] = state.setdefault("columns_seen", [])
        had_loaded_files = bool(loaded)
        connection = duckdb.connect()
        connection.execute("set preserve_insertion_order = true")
        # A time written without a zone is UTC, whatever the machine's own zone is.
        connection.execute("set TimeZone = 'UTC'")
        # Stamped here, in the same pass as the rest, so dlt need not rewrite the Parquet files.
        load_id = dlt.current.load_package_state()["load_id"]
        typed_tables: list[str] = []
        quarantined: list[QuarantinedRow] = []
        run_outcomes: list[FileOutcome] = []
        listing = list_export_files(exports_dir, spec)
        for index, file in enumerate(listing.readable, start=1):
            signature = file.signature() if file.is_local else None
            known = signatures.get(file.relative_path)
            if signature and known and known[:-1] == signature \
                    and loaded.get(known[-1]) == file.relative_path:
                continue  # loaded, and unchanged since
            _log.info("reading %s (%d of %d)", file.relative_path, index, len(listing.readable),
                      extra={"system": spec.system, "files_done": index - 1,
                             "files_total": len(listing.readable)})
            outcome = _outcome(file, "")
            typed_table = f"typed_{len(run_outcomes)}"
            with tempfile.TemporaryDirectory(prefix="cdp-read-") as scratch, \
                    file.local_path() as path:
                try:
                    fingerprint = file.fingerprint(path)
                    if signature:
                        signatures[file.relative_path] = [*signature, fingerprint]
                    if loaded.get(fingerprint) == file.relative_path:
                        continue  # touched, not changed
                    outcome.file_fingerprint = fingerprint
                    if fingerprint in loaded:
                        outcome.status = "duplicate"
                        outcome.detail = f"same content as {loaded[fingerprint]}, already loaded"
                    else:
                        rows = _read_file(connection, spec, file, path, Path(scratch),
                                          typed_table, len(run_outcomes), load_id, outcome,
                                          amounts, set(columns_seen))
                        if suppression:
                            rows = _without_suppressed(connection, spec, typed_table, rows,
                                                       outcome, suppression)
                        quarantined.extend(rows)
                except Exception as error:  # one file's failure never stops the others
                    outcome.status = "failed"
                    outcome.detail = _one_line(error)
                    outcome.records_read = 0
                    outcome.records_quarantined = 1
                    quarantined.append(QuarantinedRow(
                        file.relative_path, outcome.file_fingerprint or f"unread:{file.url}",
                        0, f"whole file set aside: {outcome.detail}", ""))
            if outcome.status == "loaded":
                typed_tables.append(typed_table)
            if outcome.status in ("loaded", "empty"):
                loaded[outcome.file_fingerprint] = file.relative_path
                columns_seen.extend(sorted(set(outcome.columns) - set(columns_seen)))
            run_outcomes.append(outcome)
        listed = {file.relative_path for file in listing.readable}
        for gone in [name for name in signatures if name not in listed]:
            del signatures[gone]
        run_outcomes += [
            FileOutcome(source_file=ignored.relative_path, file_url="", file_fingerprint="",
                        size_bytes=0, modified_at="", status="ignored", detail=ignored.reason)
            for ignored in listing.ignored
        ]
        if typed_tables:
            yield dlt.mark.with_hints(
                _required(_first_appearances(connection, spec, typed_tables), record_key(spec)),
                dlt.mark.make_hints(
                    table_name=spec.table,
                    # Nothing is stored before the first load, so there is nothing to merge
                    # against: appending the (already deduplicated) rows is the same, and
                    # skips a MERGE over the whole history on the night it is largest.
                    write_disposition=_INSERT_ONLY if had_loaded_files else "append",
                    primary_key=record_key(spec),
                    columns=_column_hints(spec),
                ),
                create_table_variant=True,
            )
        elif not had_loaded_files:
            # No records yet (a system not in use, or its files all bad): create the table
            # anyway, with the documented columns, so models downstream find it.
            yield dlt.mark.with_hints(
                _empty_records(spec),
                dlt.mark.make_hints(table_name=spec.table, columns=_column_hints(spec),
                                    write_disposition="append", primary_key=record_key(spec)),
                create_table_variant=True,
            )
        # The quarantine and file tables exist from the first run, so checks and reports that
        # read them never meet a missing table.
        if quarantined or not had_loaded_files:
            yield _bookkeeping_rows(quarantine_table(quarantined), load_id,
                                    QUARANTINE_TABLE, QUARANTINE_KEY)
        if run_outcomes or not had_loaded_files:
            yield _bookkeeping_rows(_files_table(run_outcomes), load_id, FILES_TABLE, _FILES_KEY)
        outcomes.extend(run_outcomes)
        connection.close()

    return read_new_files


def _bookkeeping_rows(table: pa.Table, load_id: str, table_name: str,
                      primary_key: tuple[str, ...]) -> DataItemWithMeta:
    """`table` stamped with the load and hinted for `table_name`, whose rows are only ever
    added (the quarantine and the file log)."""
    return dlt.mark.with_hints(
        _required(_stamped(table, load_id), primary_key),
        dlt.mark.make_hints(table_name=table_name, write_disposition=_INSERT_ONLY,
                            primary_key=primary_key),
        create_table_variant=True,
    )


def generic_dlt_source(system: str, specs: tuple[ExportSpec, ...]) -> Callable[..., DltSource]:
    """A `@dlt.source` named `system` reading each of `specs` through `export_resource`: what a
    source declares when its exports need nothing more (no amount settings)."""

    @dlt.source(name=system)
    def exports(exports_dir: str = dlt.config.value, outcomes: list[FileOutcome] | None = None,
                suppression: Suppression | None = None) -> list[DltResource]:
        return [export_resource(spec, exports_dir, outcomes, suppression=suppression)
                for spec in specs]

    return exports


def _without_suppressed(
    connection: duckdb.DuckDBPyConnection, spec: ExportSpec, typed_table: str,
    rows: list[QuarantinedRow], outcome: FileOutcome, suppression: Suppression,
) -> list[QuarantinedRow]:
    """Drop an erased person's records from the typed file and from the lines set aside."""
    dropped = 0
    if outcome.status == "loaded":
        dropped = suppression.drop_from(connection, spec, typed_table)
        outcome.records_read -= dropped
    kept = [row for row in rows if not suppression.mentioned_in(row.raw_text, spec.system)]
    outcome.records_quarantined -= len(rows) - len(kept)
    outcome.records_suppressed = dropped + len(rows) - len(kept)
    if outcome.records_suppressed:
        _log.info("%s: %d records of erased people dropped", outcome.source_file,
                  outcome.records_suppressed)
    return kept


def _one_line(error: BaseException) -> str:
    """The innermost cause of an error, on one line: what a person can act on."""
    while error.__cause__ is not None and not isinstance(error, UnreadableFile):
        error = error.__cause__
    text = " ".join(str(error).split()) or type(error).__name__
    return text if isinstance(error, UnreadableFile) else f"{type(error).__name__}: {text}"


def _files_table(outcomes: list[FileOutcome]) -> pa.Table:
    schema = pa.schema([
        ("source_file", pa.string()), ("file_url", pa.string()),
        ("file_fingerprint", pa.string()), ("size_bytes", pa.int64()),
        ("modified_at", pa.string()), ("status", pa.string()), ("records_read", pa.int64()),
        ("records_quarantined", pa.int64()), ("detail", pa.string()), ("warnings", pa.string()),
        ("records_suppressed", pa.int64()),
    ])
    rows = [{name: getattr(outcome, name) for name in schema.names} for outcome in outcomes]
    return pa.Table.from_pylist(rows, schema=schema)


def _column_hints(spec: ExportSpec) -> list[dict]:
    """dlt column types for the format's documented columns (and JSON for nested ones)."""
    hints = []
    for column in dict.fromkeys((*spec.known_columns, *spec.json_columns)):
        if column in spec.json_columns:
            hint = {"data_type": "json"}
        elif column in spec.timestamp_columns:
            hint = {"data_type": "timestamp", "timezone": True}
        elif column in spec.decimal_columns:
            hint = {"data_type": "decimal", "precision": 18, "scale": 2}
        else:
            hint = {"data_type": "text"}
        hints.append({"name": normalized_name(column), "nullable": True, **hint})
    return hints


def _empty_records(spec: ExportSpec) -> pa.Table:
    """A table of no rows with the raw table's columns and types."""
    arrow_types = {"text": pa.string(), "json": pa.string(),
                   "timestamp": pa.timestamp("us", tz="UTC"), "decimal": pa.decimal128(18, 2)}
    fields = [
        pa.field(hint["name"], arrow_types[hint["data_type"]]) for hint in _column_hints(spec)
    ]
    fields += [pa.field("line_position", pa.int64())] if spec.position_within else []
    fields += [pa.field(name, pa.string())
               for name in ("_record_hash", "_source_file", "_dlt_load_id")]
    return _required(pa.schema(fields).empty_table(), record_key(spec))


def _stamped(table: pa.Table, load_id: str) -> pa.Table:
    return table.append_column("_dlt_load_id", pa.array([load_id] * table.num_rows, pa.string()))


def _required(table: pa.Table, columns: tuple[str, ...]) -> pa.Table:
    """Mark key columns non-nullable, as dlt's schema has them, so the two schemas agree."""
    fields = [
        field.with_nullable(False) if field.name in columns else field for field in table.schema
    ]
    return table.cast(pa.schema(fields))


def _outcome(file: ExportFile, fingerprint: str) -> FileOutcome:
    return FileOutcome(
        source_file=file.relative_path,
        file_url=file.url,
        file_fingerprint=fingerprint,
        size_bytes=file.size_bytes,
        modified_at=file.modified_at,
        status="loaded",
    )


def _read_file(
    connection: duckdb.DuckDBPyConnection,
    spec: ExportSpec,
    file: ExportFile,
    path: Path,
    scratch: Path,
    typed_table: str,
    file_order: int,
    load_id: str,
    outcome: FileOutcome,
    amounts: AmountSettings,
    columns_seen: set[str],
) -> list[QuarantinedRow]:
    """Read, type and check one file; fills `outcome` and returns the rows set aside."""
    raw_table = f"raw_{file_order}"
    path, is_gzip = with_newline_line_ends(path, file.is_gzip, scratch)
    if spec.file_format == "csv":
        read = read_csv_export(connection, path, raw_table, is_gzip, spec.csv_delimiter,
                               scratch)
    else:
        read = read_jsonl_export(connection, path, raw_table, is_gzip)
    typed = read if isinstance(read, FileProblem) else type_records(
        connection, spec, read, raw_table, typed_table, file.relative_path, file_order, load_id,
        amounts, outcome.file_fingerprint,
    )
    fingerprint = outcome.file_fingerprint
    if isinstance(typed, FileProblem):
        outcome.status = "empty" if typed.is_empty else "failed"
        outcome.detail = typed.reason
        if typed.is_empty:
            return []
        outcome.records_quarantined = 1
        return [QuarantinedRow(file.relative_path, fingerprint, typed.line_number,
                               f"whole file set aside: {typed.reason}", "")]
    columns = list(dict.fromkeys(documented_columns(spec, read.columns).values()))
    outcome.columns = columns
    outcome.warnings = "; ".join(
        [*read.notes, *typed.notes, *drift_warnings(columns, spec.known_columns,
                                               columns_seen - set(spec.optional_columns))])
    located = read.locate(sorted(typed.bad_rows))
    rows = [
        QuarantinedRow(file.relative_path, fingerprint, line.line_number, line.reason,
                       line.raw_text)
        for line in read.rejected
    ] + [
        QuarantinedRow(file.relative_path, fingerprint, located[ordinal][0], reason,
                       located[ordinal][1])
        for ordinal, reason in typed.bad_rows.items()
    ]
    connection.execute(f"drop table {raw_table}")
    outcome.records_read = typed.good_rows
    outcome.records_quarantined = len(rows)
    if typed.good_rows == 0 and not rows:
        outcome.status, outcome.detail = "empty", "empty file: header only"
    return sorted(rows, key=lambda row: row.line_number)


def _first_appearances(
    connection: duckdb.DuckDBPyConnection, spec: ExportSpec, typed_tables: list[str],
) -> pa.Table:
    """All files' good rows, each (key, content hash) once: its first appearance wins, so its
    lineage points at the file that first delivered it."""
    key = ", ".join(f'"{column}"' for column in record_key(spec))
    union = " union all by name ".join(
        f"select * exclude (_problems) from {table} where len(_problems) = 0"
        for table in typed_tables
    )
    connection.execute(f"create or replace temp view good_rows as {union}")
    has_repeats = connection.execute(
        f"select exists (select 1 from good_rows group by {key} having count(*) > 1)"
    ).fetchone()[0]
    # Deduplicating costs a sort; most nights no record repeats, so only pay it when one does.
    first_only = (
        f"qualify row_number() over (partition by {key} order by _file_order, _row_ordinal) = 1"
        if has_repeats else ""
    )
    return connection.execute(f"""
        select * exclude (_file_order, _row_ordinal) from good_rows {first_only}
    """).to_arrow_table()
