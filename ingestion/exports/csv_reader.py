"""Reading one CSV export in bulk with DuckDB's CSV reader, keeping its rejected lines.

Every column is read as text: typing is a separate, explicit step (`typed_records`), so a value
that does not parse sets one row aside instead of failing the file.
"""

import csv
import gzip
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
    layout = _RecordLayout(connection, table, header, rejects)
    encoding_errors = [line for line, kind, _ in rejects if kind == "INVALID ENCODING"]
    if encoding_errors:
        first = layout.reject_lines[[line for line, _, _ in rejects].index(encoding_errors[0])]
        return FileProblem(
            first, f"file is not UTF-8 encoded (first invalid byte on line {first}); "
                   "re-export it as UTF-8",
        )
    rejected = [
        RejectedLine(line, _REJECT_REASONS.get(kind, kind.lower()), text)
        for line, (_, kind, text) in zip(layout.reject_lines, rejects, strict=True)
    ]

    def locate(ordinals: list[int]) -> dict[int, tuple[int, str]]:
        located = layout.row_lines(ordinals)
        texts = read_lines(path, is_gzip, dict(located.values()))
        return {ordinal: (line, texts.get(line, "")) for ordinal, (line, _) in located.items()}

    return ReadResult(columns=header, rejected=rejected, locate=locate)


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
