"""Deletion lists: the records a source system deleted, as an explicit statement.

A record missing from a later export proves nothing (an export may be partial, filtered, or cut
to a view), so the loader never reads absence as deletion. A deletion list says it instead: a
CSV in `<system>/deleted/` holding the system's own key column as its export writes it, and
optionally when each record was deleted. Sources have no standard file for it (HubSpot lists
deleted contacts on its restore page, with the date, and its CRM API returns archived contacts
with `id` and `archivedAt`), so the format accepts what either gives. Its rows load into
`raw_<system>.deleted_<table>` like any export (by content, quarantine, suppression, lineage);
the models retire a record whose latest deletion is as new as its latest version or newer.

Only the CRM has them. Another system (Meta leads in `social/deleted/`) needs, in its folder
(cdp/sources/<system>/), `deletion_list("social", "leads", "id")` among its SOURCE's specs (its
resource is then loaded beside its export's), a `RawCheck` of the table's keys, a staging model
like `stg_crm__deleted_contacts`; and in dbt a union in `int_records_retired` and an
`int_<system>_..._current` read in place of its staging model.
"""

from cdp.ingestion.spec import ExportSpec

DELETED_SUBFOLDER = "deleted"
# When a record was deleted, under the names HubSpot's restore page, its API and people use; all
# optional (without one, the deletion is dated by the load that brings it).
DELETION_TIME_COLUMNS = ("Deleted at", "Archived at", "Date deleted")
_DELETION_TIME_ALIASES = (("archivedAt", "Archived at"), ("deletedAt", "Deleted at"))


def deletion_list(system: str, table: str, key_column: str,
                  key_aliases: tuple[str, ...] = ()) -> ExportSpec:
    """The deletion lists of `raw_<system>.<table>`, keyed by `key_column` as the system's export
    writes it (or one of `key_aliases`, as its API names it)."""
    return ExportSpec(
        system=system,
        table=f"deleted_{table}",
        subfolder=DELETED_SUBFOLDER,
        file_format="csv",
        file_suffixes=(".csv", ".csv.gz"),
        key_columns=(key_column,),
        known_columns=(key_column, *DELETION_TIME_COLUMNS),
        timestamp_columns=DELETION_TIME_COLUMNS,
        column_aliases=(*((alias, key_column) for alias in key_aliases),
                        *_DELETION_TIME_ALIASES),
        subject_columns=(("record", key_column),),
        undated_rows_per_file=True,
    )
