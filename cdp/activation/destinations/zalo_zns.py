"""Zalo Notification Service (ZNS): each member of an audience sent one template message on
Zalo, at their phone, through the OA's API (cdp/activation/destinations/zns_client.py).

The audience names the template and where each of its parameters comes from (vars
`audiences`: `zalo_zns: {template_id, template_data, campaign}`, checked by dbt's
`declared_audiences`): a column of marts.customers, or a fixed value. Only `sms_marketing`
audiences may name this destination (the purpose covering SMS and Zalo messages).

Every request is a row of `activation.zns_messages`, written before the call (status
`sending`, its `tracking_id` made from the audience, the customer, the template and the
campaign) and completed with Zalo's answer after it, before the next call. A delivery cut off
leaves at most one row `sending`; the next delivery marks it `in_doubt` and does not send it
again: Zalo documents no de-duplication on `tracking_id` and no look-up without the `msg_id`
the lost answer held, and for a marketing message a second copy (paid for, and reported as
spam) is worse than a missing one. A member whose message was sent, or is in doubt, is never
sent it again: not when a delivery is rerun, and not when they leave the audience and come
back (a message cannot be unsent; leaving only leaves the delivery record). After the
audience's `campaign` changes, members who come back are sent the template again; a new
audience sends its message to everyone.

A phone Zalo answered for with "blocked the OA" (-141) or "refused this type of ZNS" (-139)
is never sent to again by this destination; nor is a phone this audience's message already
went to for another customer (a household's phone gets it once). These, like an invalid phone
(-108) or a user who cannot receive ZNS (-114 …), are settled: recorded as delivered, not
tried again. What Zalo refuses for the day (its daily quota, -144) or for the night (a
template's limit, a template refused) stays owed for the next delivery, named in one line.

Settings: the OA's access token (CDP_ZALO_ZNS_ACCESS_TOKEN, or `access_token` under
[destinations.zalo_zns] in .dlt/secrets.toml), never logged; CDP_ZALO_ZNS_BASE_URL (tests);
CDP_ZALO_ZNS_RATE_PER_SECOND.
"""

import hashlib
import json
import logging
import re
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal

import duckdb

from cdp.activation.destinations.base import DeliveryRun, Destination
from cdp.activation.destinations.zns_client import TOKEN, Answer, ZnsClient
from cdp.activation.http import RetryPolicy
from cdp.activation.state import Change, record_delivered
from cdp.settings import current_settings

NAME = "zalo_zns"
MESSAGES_TABLE = "activation.zns_messages"
# A Vietnamese mobile number in E.164, as marts.customers holds phones; Zalo takes 84xxxxxxxxx.
_MOBILE = re.compile(r"^\+84([35789]\d{8})$")
# Settled: the member is not sent this message again.
_SENT_OR_MAYBE = ("sent", "in_doubt")
_REFUSING = ("blocked", "opted_out")  # the phone gets nothing more from this destination
_RECORD_EVERY = 50  # settled members recorded in the delivery record at least this often

log = logging.getLogger(__name__)


def zns_phone(e164: str | None) -> str | None:
    """The phone as Zalo takes it (84xxxxxxxxx), or None for no Vietnamese mobile number."""
    found = _MOBILE.match(e164 or "")
    return f"84{found.group(1)}" if found else None


@dataclass(frozen=True)
class Parameter:
    name: str
    column: str | None  # a column of marts.customers, or
    value: str | None  # a fixed value
    default: str | None = None  # when the customer's column is empty


@dataclass(frozen=True)
class ZnsMessage:
    """An audience's `zalo_zns:` declaration."""

    template_id: str
    parameters: tuple[Parameter, ...]
    campaign: str = ""

    def tracking_id(self, audience_name: str, customer_id: str) -> str:
        """The message's own mark, the same on every attempt (Zalo's `tracking_id`)."""
        key = json.dumps([audience_name, customer_id, self.template_id, self.campaign])
        return hashlib.sha256(key.encode()).hexdigest()[:32]


def declared_messages() -> dict[str, ZnsMessage]:
    """The `zalo_zns:` declaration of each audience that has one (vars `audiences`, which dbt's
    `declared_audiences` checks in every build)."""
    messages = {}
    for audience in current_settings().models.get("audiences") or []:
        declared = audience.get(NAME)
        if not isinstance(declared, dict):
            continue
        parameters = tuple(
            Parameter(name, spec.get("column"), _text(spec.get("value")),
                      _text(spec.get("default")))
            for name, spec in (declared.get("template_data") or {}).items())
        messages[audience["name"]] = ZnsMessage(str(declared["template_id"]), parameters,
                                                str(declared.get("campaign") or ""))
    return messages


def _text(value) -> str | None:
    """A parameter's value as text: whole numbers without decimals, dates as dd/mm/yyyy."""
    if value is None:
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    if (isinstance(value, float) and value.is_integer()) or (
            isinstance(value, Decimal) and value.is_finite() and value == int(value)):
        return str(int(value))
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, date):
        return value.strftime("%d/%m/%Y")
    return str(value)


def zns_client(policy: RetryPolicy) -> ZnsClient:
    """The client, with the settings tree's token, API root and pace."""
    settings = current_settings().destinations
    if settings.zalo_zns_access_token is None:
        raise ValueError("zalo_zns destination: set CDP_ZALO_ZNS_ACCESS_TOKEN (or access_token "
                         "under [destinations.zalo_zns] in .dlt/secrets.toml)")
    return ZnsClient(settings.zalo_zns_base_url,
                     settings.zalo_zns_access_token.get_secret_value(), policy,
                     settings.zalo_zns_rate_per_second)


def create_messages_table(connection: duckdb.DuckDBPyConnection) -> None:
    connection.execute("create schema if not exists activation")
    connection.execute(f"""
        create table if not exists {MESSAGES_TABLE} (
            audience_name varchar not null,
            customer_id varchar not null,
            phone varchar not null,              -- as sent: 84xxxxxxxxx
            phone_e164 varchar not null,         -- as marts.customers holds it
            template_id varchar not null,
            campaign varchar not null,
            tracking_id varchar not null,        -- the message's mark, on every attempt
            attempt integer not null,            -- 1, then 2 after a quota stop …
            status varchar not null,
            error_code integer,
            error_message varchar,
            msg_id varchar,
            run_id varchar,
            requested_at timestamp with time zone not null,
            answered_at timestamp with time zone,
            primary key (tracking_id, attempt))""")


class MessageRecord:
    """activation.zns_messages: each request written before it is made, its answer after."""

    def __init__(self, connection: duckdb.DuckDBPyConnection):
        self.connection = connection
        create_messages_table(connection)

    def settle_cut_off(self) -> int:
        """Requests a delivery cut off left without an answer: in doubt, not sent again."""
        return self.connection.execute(f"""
            update {MESSAGES_TABLE}
            set status = 'in_doubt',
                error_message = 'no answer recorded: the delivery was cut off while waiting'
            where status = 'sending'""").fetchone()[0]

    def refusing_phones(self) -> dict[str, str]:
        """Phones that blocked the OA or refused its ZNS: how they refused (blocked first)."""
        return dict(self.connection.execute(f"""
            select phone, min(status) from {MESSAGES_TABLE}
            where status in ('blocked', 'opted_out') group by phone""").fetchall())

    def earlier(self, audience_name: str, message: ZnsMessage) -> tuple[dict, set[str]]:
        """This message's earlier answers (tracking id -> [(status, phone)]), and the phones it
        went (or may have gone) to."""
        answered: dict[str, list[tuple[str, str]]] = {}
        for tracking_id, status, phone in self.connection.execute(f"""
                select tracking_id, status, phone from {MESSAGES_TABLE}
                where audience_name = ? and template_id = ? and campaign = ?""",
                [audience_name, message.template_id, message.campaign]).fetchall():
            answered.setdefault(tracking_id, []).append((status, phone))
        reached = {phone for answers in answered.values() for status, phone in answers
                   if status in _SENT_OR_MAYBE}
        return answered, reached

    def intend(self, audience_name: str, change: Change, message: ZnsMessage, phone: str,
               run_id: str) -> tuple[str, int]:
        """The request about to be made, committed before it is: (tracking id, attempt)."""
        tracking_id = message.tracking_id(audience_name, change.customer_id)
        [(attempt,)] = self.connection.execute(f"""
            insert into {MESSAGES_TABLE} (audience_name, customer_id, phone, phone_e164,
                template_id, campaign, tracking_id, attempt, status, run_id, requested_at)
            select ?, ?, ?, ?, ?, ?, ?, coalesce(max(attempt), 0) + 1, 'sending', ?, now()
            from {MESSAGES_TABLE} where tracking_id = ?
            returning attempt""", [audience_name, change.customer_id, phone, change.phone,
                                   message.template_id, message.campaign, tracking_id, run_id,
                                   tracking_id]).fetchall()
        return tracking_id, attempt

    def answered(self, tracking_id: str, attempt: int, answer: Answer) -> None:
        self.connection.execute(f"""
            update {MESSAGES_TABLE}
            set status = ?, error_code = ?, error_message = ?, msg_id = ?,
                answered_at = case when ? = 'in_doubt' then null else now() end
            where tracking_id = ? and attempt = ?""",
            [answer.status, answer.error_code, answer.error_message, answer.msg_id,
             answer.status, tracking_id, attempt])

    def parameters(self, message: ZnsMessage,
                   customer_ids: list[str]) -> dict[str, dict[str, str]]:
        """Each customer's template data, from marts.customers."""
        columns = sorted({parameter.column for parameter in message.parameters
                          if parameter.column})
        rows = {}
        if columns:
            selected = ", ".join(f'"{column}"' for column in columns)
            for customer_id, *values in self.connection.execute(
                    f"select customer_id, {selected} from marts.customers "
                    "where list_contains(?, customer_id)", [customer_ids]).fetchall():
                rows[customer_id] = dict(zip(columns, values, strict=True))
        return {customer_id: {
            parameter.name: (parameter.value if parameter.column is None else
                             _text(rows.get(customer_id, {}).get(parameter.column))
                             or parameter.default or "")
            for parameter in message.parameters} for customer_id in customer_ids}


@dataclass
class Tally:
    """What a delivery did with each member it was to message."""

    sent: int = 0
    in_doubt: int = 0  # tonight's requests without an answer, and those a cut-off one left
    blocked: int = 0  # not sent: the phone blocked the OA (answered tonight or before)
    opted_out: int = 0  # not sent: the phone refused this type of ZNS
    invalid_phone: int = 0
    undeliverable: int = 0  # the user cannot receive ZNS (-114, -118 …)
    shared_phone: int = 0  # this audience's message already went to the phone
    already_messaged: int = 0  # sent before: a rerun, or a member who came back
    owed: int = 0  # left for the next delivery: quota, a template refused, a failure

    def line(self) -> str:
        """"41 sent · not sent: 3 blocked, 1 invalid phone · 2 in doubt (not sent again)"."""
        not_sent = [f"{getattr(self, name):,} {name.replace('_', ' ')}"
                    for name in ("blocked", "opted_out", "invalid_phone", "undeliverable",
                                 "shared_phone", "already_messaged") if getattr(self, name)]
        parts = [f"{self.sent:,} sent"]
        if not_sent:
            parts.append(f"not sent: {', '.join(not_sent)}")
        if self.in_doubt:
            parts.append(f"{self.in_doubt:,} in doubt (not sent again)")
        if self.owed:
            parts.append(f"{self.owed:,} owed")
        return " · ".join(parts)


@dataclass
class _Delivery:
    """One send of adds: the client, the record, what stopped, what was counted."""

    run: DeliveryRun
    client: ZnsClient
    record: MessageRecord
    tally: Tally
    refusing: dict[str, str]  # phone -> blocked or opted_out
    stopped: dict[str, Answer] = field(default_factory=dict)  # "all" / template id -> why
    owed_by_stop: dict[str, int] = field(default_factory=dict)
    sent: list[Change] = field(default_factory=list)  # to record, counted as added
    settled: list[Change] = field(default_factory=list)  # to record, not sent tonight

    def record_settled(self) -> None:
        """Settled members into the delivery record: the sent ones counted as added."""
        if self.sent:
            self.run.recorded(self.sent)
        if self.settled:
            record_delivered(self.run.warehouse, NAME, self.settled, self.run.run_id)
        self.sent, self.settled = [], []


class ZaloZns(Destination):
    name = NAME
    kinds = frozenset({"http"})
    receives = ("phones in clear and template parameters from marts.customers "
                "(ZNS template messages, through Zalo's API)")

    def __init__(self) -> None:
        self.last_tally = Tally()  # the last send's counts, for the delivery's report line

    def can_receive(self, email: str | None, phone: str | None) -> bool:
        return zns_phone(phone) is not None  # ZNS reaches a Vietnamese mobile number

    def send(self, run: DeliveryRun, changes: dict[str, list[Change]]) -> list[str]:
        # A message cannot be unsent: a member who leaves only leaves the delivery record.
        for audience_changes in changes.values():
            removes = [change for change in audience_changes if change.change == "remove"]
            if removes:
                run.recorded(removes)
        adds = {name: [change for change in audience_changes if change.change == "add"]
                for name, audience_changes in changes.items()}
        adds = {name: sorted(found, key=lambda change: change.customer_id)
                for name, found in adds.items() if found}
        self.last_tally = Tally()
        if not adds:
            return []
        messages = declared_messages()
        failures = [f"{name}: no `zalo_zns:` template declared (vars audiences); "
                    f"{len(found):,} message(s) owed" for name, found in adds.items()
                    if name not in messages]
        adds = {name: found for name, found in adds.items() if name in messages}
        if not adds:
            return failures
        client = zns_client(run.policy or RetryPolicy())
        with duckdb.connect(str(run.warehouse)) as connection:
            record = MessageRecord(connection)
            record.settle_cut_off()
            delivery = _Delivery(run, client, record, self.last_tally, record.refusing_phones())
            try:
                for audience_name, audience_adds in adds.items():
                    failures += _send_audience(delivery, audience_name, audience_adds,
                                               messages[audience_name])
            finally:
                delivery.record_settled()
                client.close()
        failures += _stop_lines(delivery)
        log.info("zalo_zns: %s", self.last_tally.line())
        run.notes.append(self.last_tally.line())
        return failures


def _send_audience(delivery: _Delivery, audience_name: str, adds: list[Change],
                   message: ZnsMessage) -> list[str]:
    """Each member's message, one request at a time, each answer committed before the next;
    returns the failures (one line)."""
    record, tally = delivery.record, delivery.tally
    answered, reached = record.earlier(audience_name, message)
    data = record.parameters(message, [change.customer_id for change in adds])
    failed: list[tuple[str, Answer]] = []
    for change in adds:
        phone = zns_phone(change.phone)
        earlier = answered.get(message.tracking_id(audience_name, change.customer_id), [])
        skip = _why_not_sent(phone, earlier, reached, delivery.refusing)
        if skip:
            setattr(tally, skip, getattr(tally, skip) + 1)
            delivery.settled.append(change)
            continue
        stop = "all" if "all" in delivery.stopped else (
            message.template_id if message.template_id in delivery.stopped else None)
        if stop:
            delivery.owed_by_stop[stop] = delivery.owed_by_stop.get(stop, 0) + 1
            tally.owed += 1
            continue
        tracking_id, attempt = record.intend(audience_name, change, message, phone,
                                             delivery.run.run_id)
        answer = delivery.client.send(phone, message.template_id, data[change.customer_id],
                                      tracking_id)
        record.answered(tracking_id, attempt, answer)
        _count(delivery, change, phone, message, answer, failed)
        reached |= {phone} if answer.status in _SENT_OR_MAYBE else set()
        if len(delivery.sent) + len(delivery.settled) >= _RECORD_EVERY:
            delivery.record_settled()
    if not failed:
        return []
    customers = [customer_id for customer_id, _ in failed]
    # By customer id (cdp explain --customer-id), never by phone.
    return [f"{audience_name}: {len(failed):,} message(s) failed (customer ids "
            f"{', '.join(customers[:5])}{', …' if len(customers) > 5 else ''}; first: "
            f"{failed[0][1].meaning()}); they stay owed"]


def _why_not_sent(phone: str, earlier: list[tuple[str, str]], reached: set[str],
                  refusing: dict[str, str]) -> str | None:
    """The tally a member is counted under when their message is settled without a request."""
    statuses = {status for status, _ in earlier}
    if "sent" in statuses:
        return "already_messaged"
    if "in_doubt" in statuses:  # a cut-off delivery's, or a lost answer's
        return "in_doubt"
    if phone in refusing:
        return refusing[phone]
    if phone in reached:
        return "shared_phone"
    # Settled for this phone; a member whose phone changed is tried at the new one.
    return next((status for status, answered_phone in earlier
                 if answered_phone == phone and status in ("invalid_phone", "undeliverable")),
                None)


def _count(delivery: _Delivery, change: Change, phone: str, message: ZnsMessage,
           answer: Answer, failed: list[tuple[str, Answer]]) -> None:
    tally = delivery.tally
    if answer.status == "sent":
        tally.sent += 1
        delivery.sent.append(change)
        if answer.remaining_quota == 0:  # the day's last message: stop before a refusal
            delivery.stopped.setdefault("all", Answer("quota", -144, "quota spent"))
    elif answer.final:
        setattr(tally, answer.status, getattr(tally, answer.status) + 1)
        delivery.settled.append(change)
        if answer.status in _REFUSING:
            delivery.refusing.setdefault(phone, answer.status)
    else:
        tally.owed += 1
        if answer.stops:
            key = "all" if answer.stops == "all" else message.template_id
            delivery.stopped.setdefault(key, answer)
            delivery.owed_by_stop[key] = delivery.owed_by_stop.get(key, 0) + 1
        else:
            failed.append((change.customer_id, answer))


def _stop_lines(delivery: _Delivery) -> list[str]:
    """One line for each stop: why, and how many messages wait for the next delivery."""
    lines = []
    for key, answer in delivery.stopped.items():
        owed = delivery.owed_by_stop.get(key, 0)
        if not owed:  # the day's quota ran out with the last message
            continue
        if key == "all" and answer.status == "quota":
            lines.append(f"Zalo's daily quota is spent ({answer.meaning()}) after "
                         f"{delivery.tally.sent:,} message(s) tonight: {owed:,} message(s) "
                         "owed for the next delivery")
        elif key == "all":
            token = answer.error_code in TOKEN or answer.error_message in ("HTTP 401",
                                                                           "HTTP 403")
            lines.append(f"Zalo refused every message ({answer.meaning()})"
                         f"{': renew CDP_ZALO_ZNS_ACCESS_TOKEN' if token else ''}; "
                         f"{owed:,} message(s) owed")
        else:
            lines.append(f"template {key}: {answer.meaning()}; {owed:,} message(s) owed for "
                         "the next delivery")
    return lines


DESTINATION = ZaloZns()
