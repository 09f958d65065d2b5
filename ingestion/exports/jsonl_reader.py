"""Reading one JSON-lines export in bulk with DuckDB's JSON reader.

A clean file takes the fast path: one `read_json` call. DuckDB stops at the first malformed line,
so a file with bad lines is re-read line by line in Python once, to set exactly those lines aside;
the rest is then read in bulk as before.
"""

import gzip
import tempfile
from pathlib import Path

import duckdb
import orjson

from ingestion.exports.read_result import FileProblem, ReadResult, RejectedLine
from ingestion.exports.text_lines import read_lines


def read_jsonl_export(
    connection: duckdb.DuckDBPyConnection, path: Path, table: str, is_gzip: bool,
) -> ReadResult | FileProblem:
    """Load the file's objects into `table`, one column per top-level key, each as JSON text;
    the table's rowid is the object's order in the file."""
    try:
        _bulk_read(connection, path, table, is_gzip)
    except duckdb.Error:
        return _read_around_bad_lines(connection, path, table, is_gzip)
    columns = [row[0] for row in connection.execute(f"describe {table}").fetchall()]
    if not columns or columns == ["json"]:
        return FileProblem(0, "empty file: no JSON objects", is_empty=True)

    def locate(ordinals: list[int]) -> dict[int, tuple[int, str]]:
        return _locate(path, is_gzip, _object_lines(path, is_gzip), ordinals)

    return ReadResult(columns=columns, rejected=[], locate=locate)


def _bulk_read(
    connection: duckdb.DuckDBPyConnection, path: Path, table: str, is_gzip: bool,
) -> None:
    # maximum_depth=1 keeps every top-level value as JSON text: nested objects stay whole, and no
    # key is lost to type inference (sample_size=-1 sees every key in the file).
    connection.execute(f"""
        create or replace table {table} as
        select * from read_json(
            '{str(path).replace("'", "''")}',
            format = 'newline_delimited',
            compression = '{"gzip" if is_gzip else "uncompressed"}',
            records = true,
            maximum_depth = 1,
            sample_size = -1
        )
    """)


def _object_lines(path: Path, is_gzip: bool) -> list[int]:
    """Physical line numbers of the non-blank lines, in order."""
    opener = gzip.open if is_gzip else open
    with opener(path, "rb") as handle:
        return [number for number, raw in enumerate(handle, start=1) if raw.strip()]


def _locate(
    path: Path, is_gzip: bool, object_lines: list[int], ordinals: list[int],
) -> dict[int, tuple[int, str]]:
    lines = {ordinal: object_lines[ordinal] for ordinal in ordinals}
    texts = read_lines(path, is_gzip, dict.fromkeys(lines.values(), 1))
    return {ordinal: (line, texts.get(line, "")) for ordinal, line in lines.items()}


def _read_around_bad_lines(
    connection: duckdb.DuckDBPyConnection, path: Path, table: str, is_gzip: bool,
) -> ReadResult | FileProblem:
    rejected: list[RejectedLine] = []
    object_lines: list[int] = []
    opener = gzip.open if is_gzip else open
    with opener(path, "rb") as source, tempfile.NamedTemporaryFile(suffix=".jsonl") as clean:
        for number, raw in enumerate(source, start=1):
            if not raw.strip():
                continue
            try:
                text = raw.decode("utf-8")
            except UnicodeDecodeError as error:
                return FileProblem(number, f"file is not UTF-8 encoded ({error.reason} on line "
                                           f"{number}); re-export it as UTF-8")
            try:
                parsed = orjson.loads(raw)
            except orjson.JSONDecodeError as error:
                rejected.append(RejectedLine(number, f"malformed JSON: {error}", text.rstrip()))
                continue
            if not isinstance(parsed, dict):
                rejected.append(RejectedLine(number, "line is not a JSON object", text.rstrip()))
                continue
            clean.write(raw if raw.endswith(b"\n") else raw + b"\n")
            object_lines.append(number)
        clean.flush()
        if not object_lines and not rejected:
            return FileProblem(0, "empty file: no JSON objects", is_empty=True)
        if object_lines:
            _bulk_read(connection, Path(clean.name), table, is_gzip=False)
            columns = [row[0] for row in connection.execute(f"describe {table}").fetchall()]
        else:
            connection.execute(f"create or replace table {table} (json json)")
            columns = []

    def locate(ordinals: list[int]) -> dict[int, tuple[int, str]]:
        return _locate(path, is_gzip, object_lines, ordinals)

    return ReadResult(columns=columns, rejected=rejected, locate=locate)
