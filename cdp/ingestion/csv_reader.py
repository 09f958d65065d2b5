"""Reading one CSV export in bulk with DuckDB's CSV reader, keeping its rejected lines.

Every column is read as text: typing is a separate, explicit step (`typed_records`), so a value
that does not parse sets one row aside instead of failing the file.
"""

import csv
import gzip
from pathlib import Path

import duckdb

from cdp.ingestion.read_result import FileProblem, ReadResult, RejectedLine
from cdp.ingestion.text_lines import read_lines

# DuckDB's reject types, said in words a data engineer can act on.
_REJECT_REASONS = {
    "TOO MANY COLUMNS": "row has more fields than the header",
    "MISSING COLUMNS": "row has fewer fields than the header",
    "UNQUOTED VALUE": "badly quoted field",
    "LINE SIZE OVER MAXIMUM": "line longer than the reader's maximum",
    "CAST ERROR": "value does not fit its column",
}
_UNTERMINATED_QUOTE = ("unterminated quote: a field opened on this line never closes; the line "
                       "is set aside and the records after it are read on their own")
# Rejects that can be one record swallowing the ones after it.
_SPAN_REJECTS = ("UNQUOTED VALUE", "TOO MANY COLUMNS", "MISSING COLUMNS", "LINE SIZE OVER MAXIMUM")
_MAX_QUOTE_REPAIRS = 20


def read_header(path: Path, is_gzip: bool, delimiter: str) -> list[str] | FileProblem:
    """The header row, or why the file cannot be read at all. Encoding errors further down are
    found by DuckDB's reader, which knows their line."""
    with gzip.open(path, "rb") if is_gzip else open(path, "rb") as handle:
        first_line = handle.readline()
    try:
        text = first_line.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        return FileProblem(1, f"file is not UTF-8 encoded ({error.reason} in the header); "
                              "re-export it as UTF-8")
    header = next(csv.reader([text], delimiter=delimiter), None)
    if not header or not any(name.strip() for name in header):
        return FileProblem(0, "empty file: no header row", is_empty=True)
    return [name.strip() for name in header]


def read_csv_export(
    connection: duckdb.DuckDBPyConnection,
    path: Path,
    table: str,
    is_gzip: bool,
    delimiter: str,
    scratch: Path,
) -> ReadResult | FileProblem:
    """Load the file's rows as text into `table`; its rowid is the row's order in the file.
    `scratch` is a folder for cleaned copies, kept until the caller is done with the result."""
    header = read_header(path, is_gzip, delimiter)
    if isinstance(header, FileProblem):
        return header
    # DuckDB, like the warehouse, tells column names apart regardless of case.
    by_name: dict[str, list[str]] = {}
    for name in header:
        by_name.setdefault(name.lower(), []).append(name)
    clashes = [" and ".join(repr(name) for name in names)
               for names in by_name.values() if len(names) > 1]
    if clashes:
        return FileProblem(1, f"column names clash: {'; '.join(clashes)} are one column in the "
                              "warehouse; rename one of them in the export")
    # An unterminated quote makes every record after it part of one field, until the next
    # quote: each such line is set aside alone and the file read again without it.
    lines = _LineMap()
    source, source_is_gzip = path, is_gzip
    for attempt in range(_MAX_QUOTE_REPAIRS + 1):
        rejects = _read(connection, source, source_is_gzip, table, header, delimiter)
        layout = _RecordLayout(connection, table, header, rejects)
        swallowing = None if attempt == _MAX_QUOTE_REPAIRS else _swallowing_reject(
            rejects, layout, len(header), delimiter)
        if swallowing is None:
            break
        line, text = swallowing
        lines.set_aside(lines.original(line), text)
        cleaned = scratch / f"without-line-{attempt}.csv"
        _copy_without_line(source, source_is_gzip, line, cleaned)
        source, source_is_gzip = cleaned, False
    encoding_errors = [line for line, kind, _ in rejects if kind == "INVALID ENCODING"]
    if encoding_errors:
        index = [line for line, _, _ in rejects].index(encoding_errors[0])
        first = lines.original(layout.reject_lines[index])
        return FileProblem(
            first, f"file is not UTF-8 encoded (first invalid byte on line {first}); "
                   "re-export it as UTF-8",
        )
    rejected = [
        RejectedLine(line, _UNTERMINATED_QUOTE, text) for line, text in lines.set_aside_lines
    ] + [
        RejectedLine(lines.original(line), _REJECT_REASONS.get(kind, kind.lower()), text)
        for line, (_, kind, text) in zip(layout.reject_lines, rejects, strict=True)
    ]

    def locate(ordinals: list[int]) -> dict[int, tuple[int, str]]:
        located = layout.row_lines(ordinals)
        texts = read_lines(source, source_is_gzip, dict(located.values()))
        return {ordinal: (lines.original(line), texts.get(line, ""))
                for ordinal, (line, _) in located.items()}

    return ReadResult(columns=header, rejected=rejected, locate=locate)


def _read(
    connection: duckdb.DuckDBPyConnection, path: Path, is_gzip: bool, table: str,
    header: list[str], delimiter: str,
) -> list[tuple[int, str, str]]:
    """Read every row as text into `table`; returns DuckDB's rejects (record, type, text)."""
    columns = ", ".join(f"'{_quote(name)}': 'VARCHAR'" for name in header)
    # DuckDB appends to an existing rejects table: start each read with none.
    connection.execute(f"drop table if exists {table}_rejects")
    connection.execute(f"drop table if exists {table}_reject_scans")
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
            compression = '{"gzip" if is_gzip else "none"}',
            store_rejects = true,
            rejects_table = '{table}_rejects',
            rejects_scan = '{table}_reject_scans'
        )
    """)
    return connection.execute(f"""
        select line, any_value(error_type), any_value(csv_line)
        from {table}_rejects
        group by line
        order by line
    """).fetchall()


def _swallowing_reject(
    rejects: list[tuple[int, str, str]], layout: "_RecordLayout", fields: int, delimiter: str,
) -> tuple[int, str] | None:
    """The physical line of the first rejected record that swallowed whole records after it
    (an opening quote never closed), and that line's text; None when there is none. A record
    spanning lines is swallowing when a later line of it is a complete record on its own: its
    quotes balanced and its fields as many as the header's."""
    for line, (_, kind, text) in zip(layout.reject_lines, rejects, strict=True):
        parts = (text or "").split("\n")
        if kind not in _SPAN_REJECTS or len(parts) < 2 or parts[0].count('"') % 2 == 0:
            continue
        if any(_is_complete_record(part, fields, delimiter) for part in parts[1:]):
            return line, parts[0]
    return None


def _is_complete_record(text: str, fields: int, delimiter: str) -> bool:
    if text.count('"') % 2:
        return False
    parsed = next(csv.reader([text], delimiter=delimiter), [])
    return len(parsed) == fields


def _copy_without_line(source: Path, is_gzip: bool, skipped: int, target: Path) -> None:
    with (gzip.open(source, "rb") if is_gzip else open(source, "rb")) as reader, \
            open(target, "wb") as writer:
        for number, raw in enumerate(reader, start=1):
            if number != skipped:
                writer.write(raw)


class _LineMap:
    """Physical lines of the original file, when lines were taken out of the copy read."""

    def __init__(self) -> None:
        self._removed: list[int] = []  # original line numbers, ascending
        self.set_aside_lines: list[tuple[int, str]] = []

    def original(self, line: int) -> int:
        for removed in self._removed:
            if removed <= line:
                line += 1
        return line

    def set_aside(self, original_line: int, text: str) -> None:
        self._removed = sorted([*self._removed, original_line])
        self.set_aside_lines.append((original_line, text))


class _RecordLayout:
    """Where records sit in the file. DuckDB numbers rejected records by record (header = 1),
    and a quoted field may hold newlines, so physical lines are counted here: each record spans
    1 + its newlines, and rejected records sit between the good rows at known record numbers."""

    def __init__(
        self,
        connection: duckdb.DuckDBPyConnection,
        table: str,
        header: list[str],
        rejects: list[tuple[int, str, str]],
    ) -> None:
        self._connection, self._table, self._header = connection, table, header
        # Good rows that come before the i-th rejected record (records 2.. are data).
        self._good_before_reject = [
            record - 2 - index for index, (record, _, _) in enumerate(rejects)
        ]
        self._reject_spans = [1 + (text or "").count("\n") for _, _, text in rejects]
        lines_before = self._good_lines_before(self._good_before_reject)
        self.reject_lines = [
            2 + lines_before[good] + sum(self._reject_spans[:index])
            for index, good in enumerate(self._good_before_reject)
        ]

    def row_lines(self, ordinals: list[int]) -> dict[int, tuple[int, int]]:
        """Physical first line and line span of good rows, by ordinal."""
        lines_before = self._good_lines_before(ordinals)
        spans = self._good_lines_before([ordinal + 1 for ordinal in ordinals])
        located = {}
        for ordinal in ordinals:
            rejected_lines = sum(
                span for good, span in zip(self._good_before_reject, self._reject_spans,
                                           strict=True) if good <= ordinal
            )
            located[ordinal] = (2 + lines_before[ordinal] + rejected_lines,
                                spans[ordinal + 1] - lines_before[ordinal])
        return located

    def _good_lines_before(self, ordinals: list[int]) -> dict[int, int]:
        """Physical lines taken by the good rows with ordinal below each given ordinal."""
        if not ordinals:
            return {}
        newlines = " + ".join(
            f"coalesce(length({column}) - length(replace({column}, chr(10), '')), 0)"
            for column in (f'"{_quote_identifier(name)}"' for name in self._header)
        )
        found = dict(self._connection.execute(f"""
            with spans as (select rowid as ordinal, 1 + {newlines} as span from {self._table}),
            before as (
                select ordinal, sum(span) over (order by ordinal) - span as lines_before
                from spans
            ),
            total as (select coalesce(sum(span), 0) as lines from spans)
            select wanted.ordinal, coalesce(before.lines_before, total.lines)
            from unnest($ordinals) as wanted(ordinal)
            cross join total
            left join before using (ordinal)
        """, {"ordinals": sorted(set(ordinals))}).fetchall())
        return found


def _quote_identifier(name: str) -> str:
    return name.replace('"', '""')


def _quote(text: str) -> str:
    return text.replace("'", "''")
