"""Email marketing: Mailchimp's audience export (its member CSVs, one per status) and its
email-activity export, and Segment's Email spec events for any other email tool.

The layout is the vendors' own: `email/mailchimp/` holds the member CSVs as Mailchimp names
them (`subscribed_members_export_<list id>.csv`, `unsubscribed_…`, `cleaned_…`,
`nonsubscribed_…`: the file's name is the members' status), `email/mailchimp_activity/` the
activity CSVs (one row per open, click or bounce of a campaign), `email/events/` Segment
Email-spec JSON lines (`Email Delivered`, `Email Opened`, `Email Link Clicked`, `Email Bounced`,
`Email Marked as Spam`, `Unsubscribed`). docs/sources/email.md says what each is read as.
"""

from pathlib import Path

import dlt
from dlt.extract.resource import DltResource

from cdp.ingestion.resource import FileOutcome, export_resource
from cdp.ingestion.spec import ExportSpec
from cdp.ingestion.suppression import Suppression
from cdp.sources.source import RawCheck, Source, StagedRecords, union_models_of

# Mailchimp writes every member time as "2026-11-22 10:00:00" with no zone: they are read as
# wall-clock times of the account's zone (models var `email_account_timezone`) in staging, so
# the loader keeps them as written.
MAILCHIMP_MEMBER_TIMES = ("OPTIN_TIME", "CONFIRM_TIME", "LAST_CHANGED", "UNSUB_TIME",
                          "CLEAN_TIME")

MAILCHIMP_MEMBERS = ExportSpec(
    system="email",
    table="mailchimp_members",
    subfolder="mailchimp",
    file_format="csv",
    file_suffixes=(".csv", ".csv.gz"),
    key_columns=("EUID",),
    known_columns=(
        "Email Address", "First Name", "Last Name", "Phone Number", "MEMBER_RATING",
        *MAILCHIMP_MEMBER_TIMES, "OPTIN_IP", "CONFIRM_IP", "GMTOFF", "DSTOFF", "TIMEZONE", "CC",
        "REGION", "LEID", "EUID", "NOTES", "TAGS", "UNSUB_CAMPAIGN_TITLE", "UNSUB_CAMPAIGN_ID",
        "UNSUB_REASON", "UNSUB_REASON_OTHER", "CLEAN_CAMPAIGN_TITLE", "CLEAN_CAMPAIGN_ID",
        "Member Status",
    ),
    # The merge fields' tags, which an audience renamed in Mailchimp still exports under.
    column_aliases=(("Email", "Email Address"), ("EMAIL", "Email Address"),
                    ("FNAME", "First Name"), ("LNAME", "Last Name"), ("PHONE", "Phone Number")),
    file_name_values=(("subscribed_members_export", "subscribed"),
                      ("unsubscribed_members_export", "unsubscribed"),
                      ("cleaned_members_export", "cleaned"),
                      ("nonsubscribed_members_export", "nonsubscribed"),
                      ("transactional_members_export", "nonsubscribed")),
    file_name_column="Member Status",
    # Each status's file has its own block (UNSUB_* or CLEAN_*, where LAST_CHANGED may be), and
    # older exports have LATITUDE/LONGITUDE where newer ones have TAGS.
    optional_columns=("LAST_CHANGED", "UNSUB_TIME", "UNSUB_CAMPAIGN_TITLE", "UNSUB_CAMPAIGN_ID",
                      "UNSUB_REASON", "UNSUB_REASON_OTHER", "CLEAN_TIME", "CLEAN_CAMPAIGN_TITLE",
                      "CLEAN_CAMPAIGN_ID", "LATITUDE", "LONGITUDE", "TAGS", "NOTES"),
    subject_columns=(("record", "EUID"), ("email", "Email Address"), ("phone", "Phone Number")),
)

MAILCHIMP_ACTIVITY = ExportSpec(
    system="email",
    table="mailchimp_activity",
    subfolder="mailchimp_activity",
    file_format="csv",
    file_suffixes=(".csv", ".csv.gz"),
    # No event id: an activity is its address's, and the same row twice is the same activity.
    key_columns=("email_id",),
    known_columns=("campaign_id", "list_id", "email_id", "email_address", "action", "type",
                   "timestamp", "url", "ip"),
    subject_columns=(("record", "email_id"), ("email", "email_address")),
)

EMAIL_EVENTS = ExportSpec(
    system="email",
    table="events",
    subfolder="events",
    file_format="jsonl",
    file_suffixes=(".jsonl", ".jsonl.gz", ".ndjson", ".ndjson.gz"),
    key_columns=("messageId",),
    known_columns=("messageId", "type", "userId", "anonymousId", "event", "timestamp",
                   "receivedAt", "sentAt", "originalTimestamp"),
    timestamp_columns=("timestamp", "receivedAt", "sentAt", "originalTimestamp"),
    json_columns=("properties", "context", "traits", "integrations"),
    # The Email spec's own examples use the legacy snake-case keys.
    column_aliases=(("message_id", "messageId"), ("user_id", "userId"),
                    ("anonymous_id", "anonymousId"), ("action", "type")),
    subject_columns=(("record", "userId"), ("record", "anonymousId"),
                     ("email", "context.traits.email"), ("email", "traits.email"),
                     ("email", "properties.email")),
)

@dlt.source(name="email")
def email(exports_dir: str = dlt.config.value, outcomes: list[FileOutcome] | None = None,
          suppression: Suppression | None = None,
          klaviyo: bool | None = None) -> list[DltResource]:
    """The email exports under `<exports_dir>/email/`, and, when the deployment has a Klaviyo
    key (`sources.klaviyo_api_key`), Klaviyo's profiles, events and metrics pulled from its
    API (cdp/sources/email/klaviyo.py). `klaviyo=False` leaves the pull out (Dagster's asset
    definitions, which describe the tables without calling anyone)."""
    from cdp.settings import current_settings

    resources = [export_resource(spec, exports_dir, outcomes, suppression=suppression)
                 for spec in (MAILCHIMP_MEMBERS, MAILCHIMP_ACTIVITY, EMAIL_EVENTS)]
    from cdp.sources.email.klaviyo import empty_klaviyo_tables, klaviyo_resources

    settings = current_settings().sources
    if klaviyo is not False and settings.klaviyo_api_key:
        resources += klaviyo_resources(settings.klaviyo_api_key.get_secret_value(),
                                       settings.klaviyo_base_url,
                                       settings.pull_start(settings.klaviyo_first_pull_days),
                                       suppression)
    else:
        resources += empty_klaviyo_tables()
    return resources


SOURCE = Source(
    system="email",
    specs=(MAILCHIMP_MEMBERS, MAILCHIMP_ACTIVITY, EMAIL_EVENTS),
    models_dir=Path(__file__).parent / "models",
    union_models=union_models_of(
        "email", "records", "identifiers", "record_names", "record_attributes",
        "record_written_names", "consent_statements", "channel_statements", "email_events",
        "data_issues",
    ),
    staged=(StagedRecords("stg_email__mailchimp_members", "member_id", "full_name",
                          (("email", "email_normalized"), ("phone", "phone_normalized"))),
            StagedRecords("stg_email__events", "record_id", None,
                          (("email", "email_normalized"),)),
            StagedRecords("stg_email__klaviyo_profiles", "profile_id", "full_name",
                          (("email", "email_normalized"), ("phone", "phone_normalized")))),
    # Every member has a LAST_CHANGED, but the cleaned file may carry CLEAN_TIME in its place.
    raw_checks=(RawCheck("mailchimp_members", ("euid",), "last_changed",
                         "member_status in ('subscribed', 'nonsubscribed')"),
                # Opens and clicks follow the campaigns: a night without one has none.
                RawCheck("mailchimp_activity", ("email_id",), "timestamp", volume_holds=False),
                RawCheck("events", ("message_id",), "timestamp", volume_holds=False)),
    raw_record_ids={"mailchimp_members": "euid", "mailchimp_activity": "email_id",
                    "events": "coalesce(user_id, anonymous_id)", "klaviyo_profiles": "id",
                    "klaviyo_events": "json_extract_string(relationships, '$.profile.data.id')"},
    identifier_types=("esp_member_id", "email", "phone", "user_id"),
    pulled_tables=("klaviyo_profiles", "klaviyo_events"),
    pulled_quarantine="klaviyo_quarantine",
    dlt_source=email,
)
