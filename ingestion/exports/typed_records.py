"""Typing and checking the rows of one read file in DuckDB, set-based.

Rows whose key is missing, or whose timestamps or amounts do not parse, are set aside with the
reason; the rest get typed columns, a content hash (so an unchanged record is stored once and a
changed one becomes a new version) and their source file.
"""

from dataclasses import dataclass

import duckdb
from dlt.common.normalizers.naming.snake_case import NamingConvention

from ingestion.exports.read_result import FileProblem, ReadResult
from ingestion.exports.spec import ExportSpec

_NAMING = NamingConvention()
# Shopify writes "2026-11-22 10:00:00 +0700"; DuckDB wants the offset glued to the time.
_OFFSET_AFTER_SPACE = r"\s+([+-]\d{2}:?\d{2})$"


def normalized_name(column: str) -> str:
    """The column's name in the warehouse, as dlt would name it: 'Record ID' -> 'record_id'."""
    return _NAMING.normalize_identifier(column)


@dataclass(frozen=True)
class TypedFile:
    good_rows: int
    bad_rows: dict[int, str]  # row ordinal -> reason


def _sql_identifier(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _sql_string(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def _parser(spec: ExportSpec, column: str, text: str) -> tuple[str, str] | None:
    """SQL that types a text column (NULL where it does not parse), and what it parses."""
    if column in spec.timestamp_columns:
        glued = f"regexp_replace({text}, '{_OFFSET_AFTER_SPACE}', '\\1')"
        return f"try_cast({glued} as timestamptz)", "timestamp"
    if column in spec.decimal_columns:
        return f"try_cast(replace({text}, ',', '') as decimal(18, 2))", "amount"
    return None


def type_records(
    connection: duckdb.DuckDBPyConnection,
    spec: ExportSpec,
    read: ReadResult,
    raw_table: str,
    typed_table: str,
    source_file: str,
    file_order: int,
    load_id: str,
) -> TypedFile | FileProblem:
    """Write `raw_table`'s rows typed to `typed_table` (`_problems` lists what is wrong with a
    row; empty for good rows), and return the bad rows' reasons."""
    missing = [key for key in spec.key_columns if key not in read.columns]
    if missing:
        return FileProblem(1, f"missing required column(s) {missing}; the file has {read.columns}")

    texts, typed, checks = [], [], []
    for column in read.columns:
        source = _sql_identifier(column)
        if spec.file_format == "jsonl" and column not in spec.json_columns:
            source = f"json_extract_string({source}, '$')"
        elif spec.file_format == "jsonl":
            source = f"{source}::varchar"
        text = _sql_identifier(f"text:{column}")
        texts.append(f"{source} as {text}")
        target = _sql_identifier(normalized_name(column))
        parsed = _parser(spec, column, text)
        if parsed:
            expression, kind = parsed
            typed.append(f"{expression} as {target}")
            checks.append(
                f"case when nullif(trim({text}), '') is not null and {expression} is null then "
                f"{_sql_string(f'unparseable {kind} in {column!r}: ')} || {text} end"
            )
        else:
            typed.append(f"{text} as {target}")
        if column in spec.key_columns:
            checks.append(
                f"case when nullif(trim({text}), '') is null then "
                f"{_sql_string(f'missing {column}')} end"
            )

    # Hash only what the record says, names sorted and empty values left out, so the same record
    # hashes the same whatever the column order or extra empty columns of the file it came in.
    hashed = ", ".join(
        f"case when {_sql_identifier(f'text:{column}')} is not null then "
        f"{_sql_string(column)} || chr(31) || {_sql_identifier(f'text:{column}')} end"
        for column in sorted(read.columns)
    )
    position = ""
    if spec.position_within:
        group = _sql_identifier(f"text:{spec.position_within}")
        position = (
            f", row_number() over (partition by {group} order by _row_ordinal) as line_position"
        )
    connection.execute(f"""
        create or replace temp table {typed_table} as
        with texts as (
            select rowid as _row_ordinal, {", ".join(texts)} from {raw_table}
        )
        select
            {", ".join(typed)},
            md5(concat_ws(chr(30), {hashed})) as _record_hash,
            {_sql_string(source_file)} as _source_file,
            {_sql_string(load_id)} as _dlt_load_id,
            {file_order} as _file_order,
            _row_ordinal,
            list_filter([{", ".join(checks) or "null"}], reason -> reason is not null) as _problems
            {position}
        from texts
    """)
    bad_rows = dict(connection.execute(f"""
        select _row_ordinal, array_to_string(_problems, '; ')
        from {typed_table} where len(_problems) > 0
    """).fetchall())
    rows = connection.execute(f"select count(*) from {typed_table}").fetchone()[0]
    return TypedFile(good_rows=rows - len(bad_rows), bad_rows=bad_rows)
