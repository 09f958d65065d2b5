"""Typing and checking the rows of one read file in DuckDB, set-based.

Rows whose key is missing, or whose timestamps or amounts do not parse, are set aside with the
reason; the rest get typed columns, a content hash (so an unchanged record is stored once and a
changed one becomes a new version) and their source file.
"""

from dataclasses import dataclass, field

import duckdb
from dlt.common.normalizers.naming.snake_case import NamingConvention

from cdp.ingestion.amounts import amount_problem_sql, amount_sql, detect_format
from cdp.ingestion.read_result import FileProblem, ReadResult
from cdp.ingestion.spec import ExportSpec

_NAMING = NamingConvention()
# Shopify writes "2026-11-22 10:00:00 +0700"; DuckDB wants the offset glued to the time.
_OFFSET_AFTER_SPACE = r"\s+([+-]\d{2}:?\d{2})$"
# Columns the loader writes itself: an export's own column of that name is renamed, never
# trusted (a `_record_hash` from the file would replace the content hash, `_source_file` the
# lineage). dlt's own columns all start with `_dlt`.
_LOADER_COLUMNS = ("_record_hash", "_source_file", "_problems", "_row_ordinal", "_file_order")
RENAMED_PREFIX = "exported_"


def normalized_name(column: str) -> str:
    """The column's name in the warehouse, as dlt would name it: 'Record ID' -> 'record_id'."""
    return _NAMING.normalize_identifier(column)


@dataclass(frozen=True)
class TypedFile:
    good_rows: int
    bad_rows: dict[int, str]  # row ordinal -> reason
    notes: list[str] = field(default_factory=list)  # columns renamed on the way in


@dataclass(frozen=True)
class AmountSettings:
    """How a system's amounts are written, from its dlt config."""

    decimal_separator: str = "auto"  # ".", "," or "auto"
    default_currency: str = "VND"  # when a file names no currency


def documented_columns(spec: ExportSpec, columns: list[str]) -> dict[str, str]:
    """Each file column under the name the format documents: an alias (`id` for `Record ID`,
    matched in any case) is read as its column, unless the file has that column itself or an
    earlier alias of it; every other column keeps its own name. In JSON lines, where each line
    names its own keys, an alias is read as its column even beside it: the lines that use the
    alias (`user_id`, the legacy spelling of `userId`) fill it where the others are empty."""
    present = {column.lower() for column in columns}
    merge = spec.file_format == "jsonl"
    named: dict[str, str] = {}
    for alias, documented in spec.column_aliases:
        file_column = next((column for column in columns if column.lower() == alias.lower()), None)
        if file_column is None:
            continue
        if not merge and (documented.lower() in present or documented in named.values()):
            continue
        named[file_column] = documented
    return {column: named.get(column, column) for column in columns}


def warehouse_names(spec: ExportSpec, columns: list[str]) -> dict[str, str] | FileProblem:
    """Each file column's name in the raw table, or why the file cannot be loaded: two columns
    that would land in one (`Email` and `email`)."""
    generated = {*_LOADER_COLUMNS, *(["line_position"] if spec.position_within else [])}
    names = {}
    for column in columns:
        name = normalized_name(column)
        if name in generated or name.startswith("_dlt"):
            name = RENAMED_PREFIX + name.lstrip("_")
        names[column] = name
    landing: dict[str, list[str]] = {}
    for column, name in names.items():
        landing.setdefault(name, []).append(column)
    clashes = [f"{' and '.join(repr(c) for c in sources)} both load into `{name}`"
               for name, sources in landing.items() if len(sources) > 1]
    if clashes:
        return FileProblem(1, f"column names clash: {'; '.join(clashes)}; rename one of them "
                              "in the export")
    return names


def _sql_identifier(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _sql_string(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def type_records(
    connection: duckdb.DuckDBPyConnection,
    spec: ExportSpec,
    read: ReadResult,
    raw_table: str,
    typed_table: str,
    source_file: str,
    file_order: int,
    load_id: str,
    amounts: AmountSettings,
    file_fingerprint: str = "",
) -> TypedFile | FileProblem:
    """Write `raw_table`'s rows typed to `typed_table` (`_problems` lists what is wrong with a
    row; empty for good rows), and return the bad rows' reasons. Columns are known by their
    documented names (`documented_columns`)."""
    documented = documented_columns(spec, read.columns)
    # The file columns read as each documented one (several: JSON keys spelt two ways).
    sources_of: dict[str, list[str]] = {}
    for column, name in documented.items():
        sources_of.setdefault(name, []).append(column)
    for columns in sources_of.values():  # the documented spelling first
        columns.sort(key=lambda column: column != documented[column])
    missing = [key for key in spec.key_columns if key not in sources_of]
    if missing:
        return FileProblem(1, f"missing required column(s) {missing}; the file has {read.columns}")
    stated_by_name = None
    if spec.file_name_column:  # a value the file's name states (ExportSpec.file_name_values)
        stated_by_name = spec.value_of_file_name(source_file)
        if stated_by_name is None:
            return FileProblem(0, f"its name does not say its {spec.file_name_column}")
    names = warehouse_names(spec, [*sources_of,
                                   *([spec.file_name_column] if stated_by_name else [])])
    if isinstance(names, FileProblem):
        return names
    notes = [f"column {column!r} is loaded as `{name}` (the loader's own column has its name)"
             for column, name in names.items() if name.startswith(RENAMED_PREFIX)
             and not normalized_name(column).startswith(RENAMED_PREFIX)]
    notes += [f"column {column!r} is read as {documented[column]!r}"
              for column in read.columns if documented[column] != column]

    # Each file column as text under a positional name, so no column name of the file can
    # clash with a name used here.
    text_of = {name: f"__cdp_text_{index}" for index, name in enumerate(sources_of)}
    texts = []
    for name, columns in sources_of.items():
        sources = []
        for column in columns:
            source = _sql_identifier(column)
            if spec.file_format == "jsonl" and name not in spec.json_columns:
                source = f"json_extract_string({source}, '$')"
            elif spec.file_format == "jsonl":
                source = f"{source}::varchar"
            sources.append(source)
        text = sources[0] if len(sources) == 1 else f"coalesce({', '.join(sources)})"
        texts.append(f"{text} as {text_of[name]}")
    if stated_by_name is not None:
        text_of[spec.file_name_column] = "__cdp_text_file_name"
        texts.append(f"{_sql_string(stated_by_name)} as __cdp_text_file_name")
    texts_view = f"{typed_table}_texts"
    connection.execute(f"""
        create or replace temp view {texts_view} as
        select rowid as _row_ordinal, {", ".join(texts)} from {raw_table}
    """)
    amount_columns = [name for name in sources_of if name in spec.decimal_columns]
    amount_format = detect_format(
        connection, texts_view, [text_of[column] for column in amount_columns],
        text_of.get(spec.currency_column) if spec.currency_column else None,
        amounts.decimal_separator, amounts.default_currency,
    )

    typed, checks = [], []
    if stated_by_name is not None:
        typed.append(f"{text_of[spec.file_name_column]} as "
                     f"{_sql_identifier(names[spec.file_name_column])}")
    for name, columns in sources_of.items():
        column = columns[0]
        text, target = text_of[name], _sql_identifier(names[name])
        if name in spec.timestamp_columns:
            glued = f"regexp_replace({text}, '{_OFFSET_AFTER_SPACE}', '\\1')"
            parsed = f"try_cast({glued} as timestamptz)"
            typed.append(f"{parsed} as {target}")
            checks.append(
                f"case when nullif(trim({text}), '') is not null and {parsed} is null then "
                f"{_sql_string(f'unparseable timestamp in {column!r}: ')} || {text} end"
            )
        elif name in spec.decimal_columns:
            typed.append(f"{amount_sql(text, amount_format)} as {target}")
            checks.append(amount_problem_sql(text, column, amount_format))
        else:
            typed.append(f"{text} as {target}")
        if name in spec.key_columns:
            checks.append(
                f"case when nullif(trim({text}), '') is null then "
                f"{_sql_string(f'missing {column}')} end"
            )

    # Hash only what the record says, names sorted and empty values left out, so the same record
    # hashes the same whatever the column order or extra empty columns of the file it came in.
    hashed = ", ".join(
        f"case when {text_of[name]} is not null then "
        f"{_sql_string(name)} || chr(31) || {text_of[name]} end"
        for name in sorted(text_of)
    )
    if spec.undated_rows_per_file:
        dates = [f"nullif(trim({text_of[name]}), '')" for name in spec.timestamp_columns
                 if name in text_of]
        undated = f"coalesce({', '.join(dates)}) is null" if dates else "true"
        hashed += (f", case when {undated} then "
                   f"{_sql_string('file' + chr(31) + file_fingerprint)} end")
    position = ""
    if spec.position_within:
        group = text_of[spec.position_within]
        position = (
            f", row_number() over (partition by {group} order by _row_ordinal) as line_position"
        )
    connection.execute(f"""
        create or replace temp table {typed_table} as
        select
            {", ".join(typed)},
            md5(concat_ws(chr(30), {hashed})) as _record_hash,
            {_sql_string(source_file)} as _source_file,
            {_sql_string(load_id)} as _dlt_load_id,
            {file_order} as _file_order,
            _row_ordinal,
            list_filter([{", ".join(checks) or "null"}], reason -> reason is not null) as _problems
            {position}
        from {texts_view}
    """)
    connection.execute(f"drop view {texts_view}")
    bad_rows = dict(connection.execute(f"""
        select _row_ordinal, array_to_string(_problems, '; ')
        from {typed_table} where len(_problems) > 0
    """).fetchall())
    rows = connection.execute(f"select count(*) from {typed_table}").fetchone()[0]
    return TypedFile(good_rows=rows - len(bad_rows), bad_rows=bad_rows, notes=notes)

