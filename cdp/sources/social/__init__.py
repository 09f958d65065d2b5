"""Social leads: Meta (Facebook / Instagram) Lead Ads CSV export."""

from pathlib import Path

import dlt
from dlt.extract.resource import DltResource

from cdp.ingestion.resource import FileOutcome, export_resource
from cdp.ingestion.spec import ExportSpec
from cdp.ingestion.suppression import Suppression
from cdp.sources.source import RawCheck, Source, StagedRecords, union_models_of

SOCIAL_LEADS = ExportSpec(
    system="social",
    table="leads",
    file_format="csv",
    file_suffixes=(".csv", ".csv.gz"),
    key_columns=("id",),
    known_columns=(
        "id", "created_time", "ad_id", "ad_name", "adset_id", "adset_name", "campaign_id",
        "campaign_name", "form_id", "form_name", "is_organic", "platform", "full_name", "email",
        "phone_number", "custom_disclaimer_responses",
    ),
    timestamp_columns=("created_time",),
    subject_columns=(("record", "id"), ("email", "email"), ("phone", "phone_number")),
)


@dlt.source(name="social")
def social(exports_dir: str = dlt.config.value, outcomes: list[FileOutcome] | None = None,
           suppression: Suppression | None = None) -> DltResource:
    """Lead form submissions from `<exports_dir>/social/`."""
    return export_resource(SOCIAL_LEADS, exports_dir, outcomes, suppression=suppression)


SOURCE = Source(
    system="social",
    specs=(SOCIAL_LEADS,),
    models_dir=Path(__file__).parent / "models",
    union_models=union_models_of(
        "social", "records", "identifiers", "record_names", "record_attributes",
        "record_written_names", "consent_statements", "data_issues"
    ),
    staged=StagedRecords("stg_social__leads", "lead_id", "full_name",
                         (("email", "email_normalized"), ("phone", "phone_normalized"))),
    raw_checks=(RawCheck("leads", ("id",), "created_time"),),
    raw_record_id="id",
    identifier_types=("lead_id", "email", "phone"),
    dlt_source=social,
)
