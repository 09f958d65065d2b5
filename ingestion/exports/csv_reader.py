"""Reading one CSV export in bulk with DuckDB's CSV reader, keeping its rejected lines.

Every column is read as text: typing is a separate, explicit step (`typed_records`), so a value
that does not parse sets one row aside instead of failing the file.
"""

import csv
import gzip
import io
from pathlib import Path

import duckdb

from ingestion.exports.read_result import FileProblem, ReadResult, RejectedLine
from ingestion.exports.text_lines import read_lines

# DuckDB's reject types, said in words a data engineer can act on.
_REJECT_REASONS = {
    "TOO MANY COLUMNS": "row has more fields than the header",
    "MISSING COLUMNS": "row has fewer fields than the header",
    "UNQUOTED VALUE": "badly quoted field",
    "LINE SIZE OVER MAXIMUM": "line longer than the reader's maximum",
    "CAST ERROR": "value does not fit its column",
}


def _open_text(path: Path, is_gzip: bool) -> io.TextIOBase:
    raw = gzip.open(path, "rb") if is_gzip else open(path, "rb")  # noqa: SIM115
    return io.TextIOWrapper(raw, encoding="utf-8-sig", newline="")


def read_header(path: Path, is_gzip: bool, delimiter: str) -> list[str] | FileProblem:
    """The header row, or why the file cannot be read at all."""
    try:
        with _open_text(path, is_gzip) as handle:
            header = next(csv.reader(handle, delimiter=delimiter), None)
    except UnicodeDecodeError as error:
        return FileProblem(1, f"file is not UTF-8 encoded ({error.reason} at byte {error.start}); "
                              "re-export it as UTF-8")
    if not header or not any(name.strip() for name in header):
        return FileProblem(0, "empty file: no header row", is_empty=True)
    return [name.strip() for name in header]


def read_csv_export(
    connection: duckdb.DuckDBPyConnection,
    path: Path,
    table: str,
    is_gzip: bool,
    delimiter: str,
) -> ReadResult | FileProblem:
    """Load the file's rows as text into `table`; its rowid is the row's order in the file."""
    header = read_header(path, is_gzip, delimiter)
    if isinstance(header, FileProblem):
        return header
    duplicated = sorted({name for name in header if header.count(name) > 1})
    if duplicated:
        return FileProblem(1, f"header repeats column(s) {duplicated}")
    columns = ", ".join(f"'{_quote(name)}': 'VARCHAR'" for name in header)
    connection.execute(f"""
        create or replace table {table} as
        select *
        from read_csv(
            '{_quote(str(path))}',
            columns = {{{columns}}},
            header = true,
            auto_detect = false,
            delim = '{_quote(delimiter)}',
            quote = '"',
            escape = '"',
            store_rejects = true,
            rejects_table = '{table}_rejects',
            rejects_scan = '{table}_reject_scans'
        )
    """)
    rejects = connection.execute(f"""
        select line, any_value(error_type), any_value(csv_line)
        from {table}_rejects
        group by line
        order by line
    """).fetchall()
    encoding_errors = [line for line, kind, _ in rejects if kind == "INVALID ENCODING"]
    if encoding_errors:
        return FileProblem(encoding_errors[0], "file is not UTF-8 encoded; re-export it as UTF-8")
    rejected = [
        RejectedLine(line, _REJECT_REASONS.get(kind, kind.lower()), text)
        for line, kind, text in rejects
    ]

    def locate(ordinals: list[int]) -> dict[int, tuple[int, str]]:
        return _locate_rows(connection, table, header, rejected, path, is_gzip, ordinals)

    return ReadResult(columns=header, rejected=rejected, locate=locate)


def _locate_rows(
    connection: duckdb.DuckDBPyConnection,
    table: str,
    header: list[str],
    rejected: list[RejectedLine],
    path: Path,
    is_gzip: bool,
    ordinals: list[int],
) -> dict[int, tuple[int, str]]:
    """Physical lines of rows: the reader does not keep them, so count the lines each earlier
    row spans (quoted fields may hold newlines), then step over the rejected lines."""
    newlines = " + ".join(
        f"coalesce(length(\"{_quote_identifier(name)}\") "
        f"- length(replace(\"{_quote_identifier(name)}\", chr(10), '')), 0)"
        for name in header
    )
    spans = connection.execute(f"""
        with row_spans as (
            select rowid as ordinal, 1 + {newlines} as span from {table}
        ),
        placed as (
            select ordinal, span, 2 + sum(span) over (order by ordinal) - span as line
            from row_spans
        )
        select ordinal, line, span from placed where list_contains($ordinals, ordinal)
    """, {"ordinals": ordinals}).fetchall()
    reject_spans = [(line.line_number, 1 + line.raw_text.count("\n")) for line in rejected]
    located: dict[int, tuple[int, int]] = {}
    for ordinal, line, span in spans:
        for reject_line, reject_span in reject_spans:
            if reject_line <= line:
                line += reject_span
        located[ordinal] = (line, span)
    texts = read_lines(path, is_gzip, {line: span for line, span in located.values()})
    return {ordinal: (line, texts.get(line, "")) for ordinal, (line, _) in located.items()}


def _quote_identifier(name: str) -> str:
    return name.replace('"', '""')


def _quote(text: str) -> str:
    return text.replace("'", "''")
