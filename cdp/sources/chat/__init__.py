"""Chat: a Zalo Official Account's webhook events and a Facebook Page's Messenger webhook
events, as the vendors send them, one JSON event per line.

The layout is the vendors' own: `chat/zalo/` holds Zalo OA events (`user_send_text`,
`user_send_image`, `follow`, `unfollow`, `user_submit_info`, the OA's own `oa_send_*`), and
`chat/messenger/` Messenger's `messaging` objects (messages, echoes, postbacks, referrals). Both
are what `cdp receive` (cdp/sources/chat/receiver/) writes, or any export of the same events.

A record is a scoped id: Zalo's `user_id_by_app` (one person, one id per Zalo app, whichever of
the app's OAs they talk to) and Messenger's PSID (one id per Page). Scoped ids are never linked
across scopes; people link only through a phone or email they shared: the OA's info form
(`user_submit_info`), or written in a message and read with the product's own normalization. An
account that states more phones or emails than one person has (a family's shared account, an
order for a relative) links through none of them (int_chat_shared_accounts). Message text is
personal data: it stays in the raw and staging tables, for their retention window, and never
reaches a mart. docs/chat.md says what each field is read as.
"""

from pathlib import Path

from cdp.ingestion.spec import ExportSpec
from cdp.sources.source import RawCheck, Source, StagedRecords, union_models_of

_JSON_LINES = (".jsonl", ".jsonl.gz", ".ndjson", ".ndjson.gz")

ZALO_EVENTS = ExportSpec(
    system="chat",
    table="zalo_events",
    subfolder="zalo",
    file_format="jsonl",
    file_suffixes=_JSON_LINES,
    # Zalo sends no event id (a message has `message.msg_id`, a follow nothing): an event is
    # its name and time, and the same event delivered twice (a webhook retry) is one row.
    key_columns=("event_name", "timestamp"),
    known_columns=("app_id", "oa_id", "user_id_by_app", "event_name", "timestamp", "source"),
    json_columns=("sender", "recipient", "message", "follower", "info"),
    optional_columns=("oa_id", "source"),
    subject_columns=(("record", "user_id_by_app"), ("phone", "info.phone")),
)

MESSENGER_EVENTS = ExportSpec(
    system="chat",
    table="messenger_events",
    subfolder="messenger",
    file_format="jsonl",
    file_suffixes=_JSON_LINES,
    key_columns=("timestamp",),
    known_columns=("timestamp",),
    json_columns=("sender", "recipient", "message", "postback", "referral", "delivery", "read",
                  "reaction", "optin"),
    optional_columns=("postback", "referral", "delivery", "read", "reaction", "optin"),
    # A person's PSID is the sender of what they send and the recipient of the Page's echoes.
    subject_columns=(("record", "sender.id"), ("record", "recipient.id")),
)

SOURCE = Source(
    system="chat",
    specs=(ZALO_EVENTS, MESSENGER_EVENTS),
    models_dir=Path(__file__).parent / "models",
    union_models=union_models_of(
        "chat", "records", "identifiers", "record_names", "record_attributes",
        "record_written_names", "channel_statements", "chat_messages", "data_issues",
    ),
    staged=(StagedRecords("stg_chat__zalo_events", "record_id", "submitted_name",
                          (("phone", "submitted_phone_normalized"),)),
            StagedRecords("stg_chat__messenger_events", "record_id")),
    # The loader keeps their Unix times as sent (staging reads them), so only the keys are
    # checked here: the natural key and the content hash, which the same event sent twice
    # shares.
    raw_checks=(RawCheck("zalo_events", ("event_name", "timestamp", "_record_hash")),
                RawCheck("messenger_events", ("timestamp", "_record_hash"))),
    raw_record_ids={
        "zalo_events": "user_id_by_app",
        "messenger_events": "case when json_extract_string(message, '$.is_echo') = 'true' "
                            "then json_extract_string(recipient, '$.id') "
                            "else json_extract_string(sender, '$.id') end",
    },
    identifier_types=("email", "phone"),
)
