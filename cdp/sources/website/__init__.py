"""Website events: Segment-spec JSON lines (identify / track / page, and the rest tolerated)."""

from pathlib import Path

import dlt
from dlt.extract.resource import DltResource

from cdp.ingestion.resource import FileOutcome, export_resource
from cdp.ingestion.spec import ExportSpec
from cdp.ingestion.suppression import Suppression
from cdp.sources.source import RawCheck, Source, StagedRecords, union_models_of

WEBSITE_EVENTS = ExportSpec(
    system="website",
    table="events",
    file_format="jsonl",
    file_suffixes=(".jsonl", ".jsonl.gz", ".ndjson", ".ndjson.gz"),
    key_columns=("messageId",),
    known_columns=(
        "messageId", "type", "anonymousId", "userId", "event", "name", "timestamp", "receivedAt",
        "sentAt", "originalTimestamp",
    ),
    timestamp_columns=("timestamp", "receivedAt", "sentAt", "originalTimestamp"),
    # Kept whole: their keys differ per event and per site; staging picks out what it needs.
    json_columns=("properties", "traits", "context", "integrations"),
    subject_columns=(("record", "anonymousId"), ("user_id", "userId"), ("email", "traits.email"),
                     ("phone", "traits.phone"), ("email", "context.traits.email"),
                     ("phone", "context.traits.phone")),
)


@dlt.source(name="website")
def website(exports_dir: str = dlt.config.value, outcomes: list[FileOutcome] | None = None,
            suppression: Suppression | None = None) -> DltResource:
    """Events from `<exports_dir>/website/`, one row per message and content version."""
    return export_resource(WEBSITE_EVENTS, exports_dir, outcomes, suppression=suppression)


SOURCE = Source(
    system="website",
    specs=(WEBSITE_EVENTS,),
    models_dir=Path(__file__).parent / "models",
    union_models=union_models_of(
        "website", "records", "identifiers", "record_names", "record_attributes",
        "record_written_names", "consent_statements", "web_events", "data_issues"
    ),
    staged=StagedRecords("stg_website__events", "anonymous_id", "traits_name",
                         (("email", "email_normalized"), ("phone", "phone_normalized"))),
    raw_checks=(RawCheck("events", ("message_id",), "timestamp"),),
    raw_record_id="anonymous_id",
    identifier_types=("anonymous_id", "user_id", "order_id", "email", "phone"),
    dlt_source=website,
)
