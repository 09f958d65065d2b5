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
    # Documented columns only some files have (Mailchimp's UNSUB_* in the unsubscribed file
    # alone): a file without them is no change of the export's columns.
    optional_columns: tuple[str, ...] = ()
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
    # What a file's name states rather than its rows (Mailchimp writes each member status to
    # its own file, `unsubscribed_members_export_<list id>.csv`): (name prefix, value) pairs,
    # matched at the start of the name in any case, the longest prefix first (so
    # `unsubscribed_` is never read as `subscribed_`). The value is loaded into
    # `file_name_column` as part of each row's content; a file matching no prefix is ignored,
    # with the reason.
    file_name_values: tuple[tuple[str, str], ...] = ()
    file_name_column: str = ""

    def value_of_file_name(self, name: str) -> str | None:
        """The value `file_name_values` gives a file of this name (its last path part), or
        None when no prefix matches."""
        lowered = name.rsplit("/", 1)[-1].lower()
        for prefix, value in sorted(self.file_name_values, key=lambda pair: -len(pair[0])):
            if lowered.startswith(prefix.lower()):
                return value
        return None

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
