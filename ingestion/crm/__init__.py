"""CRM contacts: HubSpot's contacts CSV export."""

import dlt
from dlt.extract.resource import DltResource

from ingestion.exports.resource import FileOutcome, export_resource
from ingestion.exports.spec import ExportSpec
from ingestion.exports.suppression import Suppression

CRM_CONTACTS = ExportSpec(
    system="crm",
    table="contacts",
    file_format="csv",
    file_suffixes=(".csv", ".csv.gz"),
    key_columns=("Record ID",),
    known_columns=(
        "Record ID", "First Name", "Last Name", "Email", "Phone Number", "Mobile Phone Number",
        "City", "Country/Region", "Lifecycle Stage", "Create Date", "Last Modified Date",
        "Marketing contact status", "Unsubscribed from all email",
    ),
    timestamp_columns=("Create Date", "Last Modified Date"),
    subject_columns=(("record", "Record ID"), ("email", "Email"), ("phone", "Phone Number"),
                     ("phone", "Mobile Phone Number")),
)


@dlt.source(name="crm")
def crm(exports_dir: str = dlt.config.value, outcomes: list[FileOutcome] | None = None,
        suppression: Suppression | None = None) -> DltResource:
    """Contacts from `<exports_dir>/crm/`; a contact changed in HubSpot becomes a new version."""
    return export_resource(CRM_CONTACTS, exports_dir, outcomes, suppression=suppression)
