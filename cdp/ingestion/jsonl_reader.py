"""Reading one JSON-lines export in bulk with DuckDB's JSON reader.

A clean file takes the fast path: one `read_json` call, and one set-based look for keys repeated
inside nested objects (which DuckDB reads without a word). DuckDB stops at the first malformed
line or repeated top-level key, so a file with bad lines is re-read line by line in Python once,
to settle exactly those lines (`json_keys`: a repeated key with one value loads, with different
values sets its line aside); the rest is then read in bulk as before.
"""

import gzip
import re
import shutil
import tempfile
from pathlib import Path

import duckdb
import orjson

from cdp.ingestion.json_keys import (
    conflict_reason,
    repeated_keys,
    without_repeated_top_level_keys,
)
from cdp.ingestion.read_result import FileProblem, ReadResult, RejectedLine
from cdp.ingestion.text_lines import read_lines

# DuckDB names the line it could not read ("... in line 6: Object {...} has duplicate key").
_DUCKDB_LINE = re.compile(r"in line (\d+)(?::|\.)?\s*(.*)")
# Lines DuckDB refuses that the checks here let through, set aside one by one before the file is.
_MAX_REFUSED_LINES = 20


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
    if _repeats_nested_keys(connection, table, columns):
        return _read_around_bad_lines(connection, path, table, is_gzip)

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


def _repeats_nested_keys(
    connection: duckdb.DuckDBPyConnection, table: str, columns: list[str],
) -> bool:
    """Whether some object inside a value repeats a key: DuckDB keeps such a value whole, and
    its `json_extract` would read the first of the two."""
    repeats = " or ".join(_repeats_a_key(f"{table}.{_identifier(column)}") for column in columns)
    found = connection.execute(f"select exists (select 1 from {table} where {repeats})")
    return found.fetchone()[0]


def _repeats_a_key(value: str) -> str:
    """SQL: whether an object in the JSON `value` (it or one of its descendants, `$..*`) has
    fewer keys once deduplicated. About one more read of the JSON (`json_tree` took two)."""
    objects = (f"list_prepend({value}, list_filter(json_extract({value}, '$..*'), "
               f"descendant -> json_type(descendant) = 'OBJECT'))")
    return (f"(json_type({value}) in ('OBJECT', 'ARRAY') and list_bool_or(list_transform("
            f"{objects}, object -> len(json_keys(object)) <> len(list_distinct(json_keys(object))))"
            f"))")


def _identifier(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


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
    with opener(path, "rb") as source, tempfile.TemporaryDirectory() as scratch:
        clean = Path(scratch) / "clean.jsonl"
        with open(clean, "wb") as target:
            for number, raw in enumerate(source, start=1):
                if not raw.strip():
                    continue
                try:
                    text = raw.decode("utf-8")
                except UnicodeDecodeError as error:
                    return FileProblem(number, f"file is not UTF-8 encoded ({error.reason} on "
                                               f"line {number}); re-export it as UTF-8")
                try:
                    parsed = orjson.loads(raw)
                except orjson.JSONDecodeError as error:
                    rejected.append(RejectedLine(number, f"malformed JSON: {error}",
                                                 text.rstrip()))
                    continue
                if not isinstance(parsed, dict):
                    rejected.append(RejectedLine(number, "line is not a JSON object",
                                                 text.rstrip()))
                    continue
                target.write(raw if raw.endswith(b"\n") else raw + b"\n")
                object_lines.append(number)
        if not object_lines and not rejected:
            return FileProblem(0, "empty file: no JSON objects", is_empty=True)
        notes = _settle_repeated_keys(connection, clean, table, object_lines, rejected)
        columns = _bulk_read_refusing_lines(connection, clean, table, object_lines, rejected,
                                            (path, is_gzip))

    def locate(ordinals: list[int]) -> dict[int, tuple[int, str]]:
        return _locate(path, is_gzip, object_lines, ordinals)

    return ReadResult(columns=columns, rejected=sorted(rejected, key=lambda line: line.line_number),
                      locate=locate, notes=notes)


def _settle_repeated_keys(
    connection: duckdb.DuckDBPyConnection, clean: Path, table: str, object_lines: list[int],
    rejected: list[RejectedLine],
) -> list[str]:
    """Apply the rule of `json_keys` to the lines of `clean` that repeat a key, found set-based:
    a line whose repeats disagree moves from `object_lines` to `rejected`, one whose repeats
    agree is rewritten with each top-level key once. Returns a note for the report."""
    if not object_lines:
        return []
    lines = f"{table}_lines"
    connection.execute(f"""
        create or replace temp table {lines} as
        select json from read_ndjson_objects('{str(clean).replace("'", "''")}')
    """)
    repeating = [row for (row,) in connection.execute(
        f"select rowid from {lines} where {_repeats_a_key('json')} order by rowid").fetchall()]
    connection.execute(f"drop table {lines}")
    if not repeating:
        return []
    texts = read_lines(clean, False, {row + 1: 1 for row in repeating})
    rewritten: dict[int, str | None] = {}  # line of `clean` -> its new text, None: set aside
    for row in repeating:
        text = texts[row + 1]
        conflicting = repeated_keys(text).conflicting
        if conflicting:
            rejected.append(RejectedLine(object_lines[row], conflict_reason(conflicting), text))
        rewritten[row + 1] = None if conflicting else without_repeated_top_level_keys(text)
    _rewrite_lines(clean, rewritten)
    object_lines[:] = [line for row, line in enumerate(object_lines)
                       if rewritten.get(row + 1, "") is not None]
    agreeing = sum(text is not None for text in rewritten.values())
    return [f"{agreeing} line(s) repeat a key with the same value each time: loaded with the "
            "key once"] if agreeing else []


def _bulk_read_refusing_lines(
    connection: duckdb.DuckDBPyConnection, clean: Path, table: str, object_lines: list[int],
    rejected: list[RejectedLine], original: tuple[Path, bool],
) -> list[str]:
    """Bulk-read the checked lines of `clean`; a line DuckDB still refuses is set aside with its
    reason (moved from `object_lines` to `rejected`) and the rest read again, so no line the
    checks above missed can set the whole file aside. Returns the table's columns."""
    for _ in range(_MAX_REFUSED_LINES + 1):
        if not object_lines:
            connection.execute(f"create or replace table {table} (json json)")
            return []
        try:
            _bulk_read(connection, clean, table, is_gzip=False)
        except duckdb.Error as error:
            refused = _DUCKDB_LINE.search(str(error))
            if refused is None:
                raise
            clean_line = int(refused.group(1))
            reason = refused.group(2).splitlines()[0] if refused.group(2) else str(error)
            line = object_lines.pop(clean_line - 1)
            text = read_lines(*original, {line: 1}).get(line, "")
            rejected.append(RejectedLine(line, f"unreadable JSON: {reason}", text))
            _rewrite_lines(clean, {clean_line: None})
            continue
        return [row[0] for row in connection.execute(f"describe {table}").fetchall()]
    raise ValueError(f"more than {_MAX_REFUSED_LINES} lines the JSON reader refuses")


def _rewrite_lines(path: Path, texts: dict[int, str | None]) -> None:
    """Replace the given lines of `path` (1-based) by their new text; None drops the line."""
    kept = path.with_suffix(".kept")
    with open(path, "rb") as reader, open(kept, "wb") as writer:
        for number, raw in enumerate(reader, start=1):
            if number not in texts:
                writer.write(raw)
            elif (text := texts[number]) is not None:
                writer.write(text.encode("utf-8") + b"\n")
    shutil.move(kept, path)
