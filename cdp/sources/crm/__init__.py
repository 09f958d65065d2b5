"""CRM contacts: HubSpot's contacts CSV export, and the lists of contacts deleted in HubSpot;
or the contacts pulled from HubSpot's CRM API (cdp/sources/crm/hubspot_api.py)."""

from pathlib import Path

import dlt
from dlt.extract.resource import DltResource

from cdp.ingestion.deletions import deletion_list
from cdp.ingestion.resource import FileOutcome, export_resource
from cdp.ingestion.spec import ExportSpec
from cdp.ingestion.suppression import Suppression
from cdp.sources.source import RawCheck, Source, StagedRecords, union_models_of

# `crm/deleted/*.csv`: contacts deleted in HubSpot, by `Record ID` as the contacts export writes
# it, or `id` / `hs_object_id` as HubSpot's CRM API names it (archived contacts).
CRM_DELETED_CONTACTS = deletion_list("crm", "contacts", "Record ID",
                                     key_aliases=("id", "hs_object_id"))

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
    deletions=CRM_DELETED_CONTACTS,
)


@dlt.source(name="crm")
def crm(exports_dir: str = dlt.config.value, outcomes: list[FileOutcome] | None = None,
        suppression: Suppression | None = None) -> list[DltResource]:
    """Contacts from `<exports_dir>/crm/` (a contact changed in HubSpot becomes a new version)
    and deletion lists from `<exports_dir>/crm/deleted/`."""
    from cdp.settings import current_settings

    resources = [export_resource(spec, exports_dir, outcomes, suppression=suppression)
                 for spec in (CRM_CONTACTS, CRM_DELETED_CONTACTS)]
    settings = current_settings().sources
    if settings.hubspot_access_token:  # contacts pulled from HubSpot's API as well
        from cdp.sources.crm.hubspot_api import hubspot_contacts

        resources.append(hubspot_contacts(
            settings.hubspot_access_token.get_secret_value(), settings.hubspot_base_url,
            settings.pull_start(settings.hubspot_first_pull_days), suppression))
    return resources


SOURCE = Source(
    system="crm",
    specs=(CRM_CONTACTS, CRM_DELETED_CONTACTS),
    models_dir=Path(__file__).parent / "models",
    union_models=union_models_of(
        "crm", "records", "identifiers", "record_names", "record_deletions", "record_attributes",
        "record_written_names", "lifecycle_stages", "consent_statements", "data_issues"
    ),
    staged=StagedRecords("stg_crm__contacts", "contact_id", "full_name",
                         (("email", "email_normalized"), ("phone", "phone_normalized"),
                          ("phone", "mobile_phone_normalized"))),
    raw_checks=(RawCheck("contacts", ("record_id",), "create_date"),
                # Only the keys: a deletion's date is optional, a night without deletions normal.
                RawCheck("deleted_contacts", ("record_id",))),
    raw_record_id="record_id",
    identifier_types=("crm_contact_id", "email", "phone"),
    pulled_quarantine="hubspot_quarantine",
    dlt_source=crm,
)
