"""How one source system's export files look: the only thing that differs between loaders."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal


@dataclass(frozen=True)
class ExportSpec:
    """One system's export format. Column names are as they appear in the files."""

    system: str  # dataset is raw_<system>; also the folder under the exports directory
    table: str  # the raw table its records land in
    file_format: Literal["csv", "jsonl"]
    # Endings of the files read (in any case), directly in the system's folder.
    file_suffixes: tuple[str, ...]
    key_columns: tuple[str, ...]  # the natural key; a file without them cannot be loaded
    # Columns the format documents: created in the raw table even before a file holds them, so
    # models downstream can rely on them. Other columns in a file are loaded all the same.
    known_columns: tuple[str, ...] = ()
    timestamp_columns: tuple[str, ...] = ()  # parsed to UTC; unparseable values are set aside
    decimal_columns: tuple[str, ...] = ()  # parsed to DECIMAL(18, 2); bad values are set aside
    currency_column: str | None = None  # the ISO code amounts are in, when the format has one
    json_columns: tuple[str, ...] = ()  # nested objects kept whole as JSON
    # Rows sharing this column get a 1-based `line_position` in file order (Shopify line items).
    position_within: str | None = None
    csv_delimiter: str = ","
    # Where a record names its person, for the suppression list of erased people: (kind, column)
    # with kind `email`, `phone`, `record` (this system's record id) or `user_id`, and column a
    # file column or `<json column>.<key>` (`traits.email`).
    subject_columns: tuple[tuple[str, str], ...] = ()
    # Columns an erased person's rows keep, as facts about nobody (a sale's amounts, date,
    # products, store); with none, their rows are deleted whole.
    kept_when_erased: tuple[str, ...] = ()
    # Other names a file may give a documented column, as (alias, column): read as that column
    # unless the file has the column itself (`id` for `Record ID`). The first alias present wins.
    column_aliases: tuple[tuple[str, str], ...] = ()
    # Read from `<system>/<subfolder>/` instead of `<system>/` (a deletion list: `crm/deleted/`).
    subfolder: str = ""
    # The system's deletion lists (cdp/ingestion/deletions.py): read from their own subfolder,
    # which this spec's own listing therefore leaves alone.
    deletions: ExportSpec | None = None
    # A row none of whose timestamp columns is filled states something as of the file that
    # brings it (a deletion list without dates): the file's fingerprint is part of its content
    # hash, so the same row in a later, different file is stored again, dated by that load.
    undated_rows_per_file: bool = False

    @property
    def folder(self) -> str:
        """The folder under the exports directory its files are read from."""
        return f"{self.system}/{self.subfolder}" if self.subfolder else self.system

    @property
    def normalized_key_column(self) -> str:
        """The raw table's column of the record id (the first key column)."""
        from cdp.ingestion.typed_records import normalized_name  # it imports this module

        return normalized_name(self.key_columns[0])

    @property
    def normalized_kept_when_erased(self) -> tuple[str, ...]:
        from cdp.ingestion.typed_records import normalized_name

        return tuple(normalized_name(column) for column in self.kept_when_erased)
