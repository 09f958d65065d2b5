"""The mobile app: Segment's mobile spec as JSON lines (`Application Installed / Opened /
Updated`, screens, tracks and identifies), from `app/`.

An install's `anonymousId` is its record, as the website's device is. `context.device.id` (the
device) and `context.device.advertisingId` (only when `adTrackingEnabled` is true and it is not
all zeros, which is what iOS and Android return when tracking is limited) link installs; a
device several people sign in to within a short window (a family tablet) links nobody
(`int_app_shared_devices`). docs/app.md says what each field is read as.
"""

from pathlib import Path

from cdp.ingestion.spec import ExportSpec
from cdp.sources.source import RawCheck, Source, StagedRecords, union_models_of

APP_EVENTS = ExportSpec(
    system="app",
    table="events",
    file_format="jsonl",
    file_suffixes=(".jsonl", ".jsonl.gz", ".ndjson", ".ndjson.gz"),
    key_columns=("messageId",),
    known_columns=(
        "messageId", "type", "anonymousId", "userId", "event", "name", "timestamp", "receivedAt",
        "sentAt", "originalTimestamp",
    ),
    timestamp_columns=("timestamp", "receivedAt", "sentAt", "originalTimestamp"),
    json_columns=("properties", "traits", "context", "integrations"),
    column_aliases=(("message_id", "messageId"), ("anonymous_id", "anonymousId"),
                    ("user_id", "userId"), ("action", "type")),
    subject_columns=(("record", "anonymousId"), ("user_id", "userId"), ("email", "traits.email"),
                     ("phone", "traits.phone"), ("email", "context.traits.email"),
                     ("phone", "context.traits.phone")),
)

SOURCE = Source(
    system="app",
    specs=(APP_EVENTS,),
    models_dir=Path(__file__).parent / "models",
    union_models=union_models_of(
        "app", "records", "identifiers", "record_names", "record_attributes",
        "record_written_names", "web_events", "data_issues",
    ),
    staged=StagedRecords("stg_app__events", "anonymous_id", "traits_name",
                         (("email", "email_normalized"), ("phone", "phone_normalized"))),
    raw_checks=(RawCheck("events", ("message_id",), "timestamp"),),
    raw_record_id="anonymous_id",
    identifier_types=("device_id", "advertising_id", "user_id", "order_id", "email", "phone"),
)
