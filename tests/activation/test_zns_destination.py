"""An audience delivered to Zalo's notification service (ZNS), built by dbt on the sample and
sent to a ZNS-shaped server on 127.0.0.1: one message per member, the daily quota, users who
blocked the OA, retries, a lost answer, a delivery killed mid-way, and the declaration's check."""

import json
import os
import re
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import duckdb
import pytest

from cdp.activation.deliver import deliver
from cdp.activation.destinations.registry import DESTINATIONS
from cdp.activation.http import RetryPolicy
from cdp.activation.state import Change, delivered_members, record_delivered
from cdp.privacy.erasure import load_erased_values, tables_mentioning
from cdp.privacy.mentions import Mentions
from cdp.settings import load_settings, use_settings
from cdp.testing.zalo_server import ZaloZnsServer
from cdp.transformation.dbt_runner import DbtBuildFailed, dbt_build
from tests.helpers import query

TOKEN = "zns-test-token"
TEMPLATE = "231677"
AUDIENCE = "Buyers on Zalo"
QUICK = RetryPolicy(attempts=4, first_wait_seconds=0.01, timeout_seconds=5)
SELECTED = "int_audience_candidates+"  # the audience models: the rest of the build is the sample's


def declared(campaign: str | None = None, consent_purpose: str = "sms_marketing",
             name_column: str = "full_name") -> list[dict]:
    """The vars `audiences` of these tests: everyone who may get SMS and Zalo messages."""
    message = {"template_id": TEMPLATE, "template_data": {
        "customer_name": {"column": name_column, "default": "Quý khách"},
        "city": {"column": "city", "default": "Việt Nam"},
        "voucher_code": {"value": "TET2026"}}}
    if campaign:
        message["campaign"] = campaign
    return [{"name": AUDIENCE, "condition": "true", "consent_purpose": consent_purpose,
             "destinations": ["zalo_zns"], "zalo_zns": message}]


def declare(audiences: list[dict]) -> None:
    """The delivery reads the declaration from the settings tree, as dbt got it."""
    use_settings(load_settings(overrides={"models.audiences": audiences}))


@pytest.fixture(scope="module")
def zns_warehouse(built_sample, tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("zns") / "warehouse"
    shutil.copytree(built_sample.parent, folder)
    warehouse = folder / built_sample.name
    dbt_build(warehouse, variables={"audiences": declared()}, select=SELECTED,
              target_path=folder / "dbt_target")
    return warehouse


@pytest.fixture
def warehouse(zns_warehouse, tmp_path) -> Path:
    folder = tmp_path / "warehouse"
    shutil.copytree(zns_warehouse.parent, folder)
    return folder / zns_warehouse.name


@pytest.fixture
def zalo(monkeypatch):
    server = ZaloZnsServer(TOKEN, {TEMPLATE: {"customer_name", "city", "voucher_code"}})
    monkeypatch.setenv("CDP_ZALO_ZNS_ACCESS_TOKEN", TOKEN)
    monkeypatch.setenv("CDP_ZALO_ZNS_BASE_URL", server.url)
    monkeypatch.setenv("CDP_ZALO_ZNS_RATE_PER_SECOND", "1000")
    declare(declared())
    yield server
    server.close()


def reachable(warehouse: Path) -> dict[str, tuple[str, str | None, str | None]]:
    """The members with a Vietnamese mobile number: customer id -> (phone as Zalo takes it,
    name, city)."""
    members = {customer_id: (phone.removeprefix("+"), name, city)
               for customer_id, phone, name, city in query(warehouse, """
                   select customer_id, phone, full_name, city from marts.audience_members
                   where audience_name = ?""", [AUDIENCE])
               if re.fullmatch(r"\+84[35789]\d{8}", phone or "")}
    assert len(members) >= 20
    return members


def tally():
    return DESTINATIONS["zalo_zns"].last_tally


def messages(warehouse: Path, where: str = "true") -> list[tuple]:
    return query(warehouse, f"""
        select customer_id, phone, status, error_code from activation.zns_messages
        where {where} order by customer_id, attempt""")


def left_and_came_back(warehouse: Path, customers: list[str]) -> None:
    """Their removal recorded, as when they left the audience: the build's add is owed again,
    as when they come back."""
    record_delivered(warehouse, "zalo_zns", [Change(AUDIENCE, "remove", customer, None, None)
                                             for customer in customers], "they-left")


def test_each_member_is_sent_the_declared_template_once_and_never_again(
        warehouse, zalo, tmp_path):
    members = reachable(warehouse)
    report = deliver("zalo_zns", warehouse, tmp_path, "night-one", QUICK)

    assert not report.failures and report.added == len(members)
    # A member without a mobile number is counted, not sent.
    assert report.not_sent_without_identifier == report.audiences[AUDIENCE]["members"] - len(
        members) > 0
    sent = {message["phone"]: message for message in zalo.accepted}
    assert len(zalo.accepted) == len(sent) == len(members)
    for phone, name, city in members.values():
        assert sent[phone]["template_id"] == TEMPLATE
        assert sent[phone]["template_data"] == {"customer_name": name or "Quý khách",
                                                "city": city or "Việt Nam",
                                                "voucher_code": "TET2026"}
    rows = query(warehouse, """
        select customer_id, phone, phone_e164, status, error_code, msg_id, run_id,
            answered_at is not null, attempt
        from activation.zns_messages""")
    assert {row[0]: row[1:] for row in rows} == {
        customer: (phone, f"+{phone}", "sent", 0, sent[phone]["msg_id"], "night-one", True, 1)
        for customer, (phone, _, _) in members.items()}
    assert delivered_members(warehouse, "zalo_zns", AUDIENCE) == set(members)
    assert tally().line() == f"{len(members)} sent"

    # Nothing is owed: the next delivery sends nothing.
    assert deliver("zalo_zns", warehouse, tmp_path, "night-two", QUICK).added == 0
    # A member who leaves and comes back is not sent the template again.
    returning = sorted(members)[0]
    left_and_came_back(warehouse, [returning])
    back = deliver("zalo_zns", warehouse, tmp_path, "night-three", QUICK)
    assert back.added == 0 and tally().already_messaged == 1
    assert zalo.requests == len(members)
    assert delivered_members(warehouse, "zalo_zns", AUDIENCE) == set(members)


def test_a_spent_daily_quota_stops_the_day_and_the_rest_go_with_the_next_delivery(
        warehouse, zalo, tmp_path):
    members = reachable(warehouse)
    zalo.daily_quota = zalo.remaining_quota = 12

    night = deliver("zalo_zns", warehouse, tmp_path, "night-one", QUICK)

    owed = len(members) - 12
    assert night.added == 12
    assert night.failures == [
        "Zalo's daily quota is spent (error -144: the OA's daily ZNS quota is spent) after 12 "
        f"message(s) tonight: {owed} message(s) owed for the next delivery"]
    # Zalo's answer to the twelfth said nothing was left: no request was made past it.
    assert zalo.requests == 12
    # Dagster retries the step the same day: Zalo refuses the first message, nothing goes.
    retry = deliver("zalo_zns", warehouse, tmp_path, "night-one", QUICK)
    assert retry.added == 0 and zalo.answers[-1] == -144 and zalo.requests == 13
    assert len(retry.failures) == 1 and f"{owed} message(s) owed" in retry.failures[0]
    assert [row[2:] for row in messages(warehouse, "status != 'sent'")] == [("quota", -144)]

    zalo.daily_quota = 100  # Zalo raised the OA's quota
    zalo.new_day()
    next_day = deliver("zalo_zns", warehouse, tmp_path, "night-two", QUICK)

    assert not next_day.failures and next_day.added == owed
    assert sorted(zalo.accepted_per_tracking_id().values()) == [1] * len(members)
    assert {message["phone"] for message in zalo.accepted} == {
        phone for phone, _, _ in members.values()}
    # The message Zalo refused for the quota went as its second attempt.
    assert query(warehouse, "select max(attempt) from activation.zns_messages") == [(2,)]
    assert delivered_members(warehouse, "zalo_zns", AUDIENCE) == set(members)


def test_a_user_who_blocked_the_oa_is_marked_and_never_sent_to_again(warehouse, zalo, tmp_path):
    members = reachable(warehouse)
    blocker, refuser = sorted(members)[:2]
    zalo.blocked_phones = {members[blocker][0]}
    zalo.opted_out_phones = {members[refuser][0]}

    night = deliver("zalo_zns", warehouse, tmp_path, "night-one", QUICK)

    assert not night.failures and night.added == len(members) - 2
    assert tally().line() == f"{len(members) - 2} sent · not sent: 1 blocked, 1 opted out"
    # Marked, with Zalo's code, at the phone as sent (marts.customer_channel_status reads it).
    assert messages(warehouse, "status != 'sent'") == [
        (blocker, members[blocker][0], "blocked", -141),
        (refuser, members[refuser][0], "opted_out", -139)]
    # Settled: not owed, not tried again.
    assert delivered_members(warehouse, "zalo_zns", AUDIENCE) == set(members)
    # The next build's channel status has both phones blocked, as the customers they were for.
    dbt_build(warehouse, variables={"audiences": declared()}, select="customer_channel_status",
              target_path=tmp_path / "dbt_target")
    assert query(warehouse, """
        select customer_id, address, status from marts.customer_channel_status
        where channel = 'zns' order by 1""") == sorted(
        (customer, "+" + members[customer][0], "blocked") for customer in (blocker, refuser))

    # Months later the audience sends a new campaign and both come back into it: their phones
    # are not sent to again.
    declare(declared(campaign="second"))
    left_and_came_back(warehouse, [blocker, refuser])
    requests = zalo.requests
    back = deliver("zalo_zns", warehouse, tmp_path, "night-two", QUICK)
    assert back.added == 0 and zalo.requests == requests
    assert (tally().blocked, tally().opted_out) == (1, 1)


def test_429_and_5xx_are_retried_and_a_lost_answer_is_never_sent_twice(
        warehouse, zalo, tmp_path):
    members = reachable(warehouse)
    first, second = sorted(members)[:2]
    # The first message fails through every attempt; the second goes on its fourth; the
    # answer to the fifth message accepted comes after the client stopped waiting.
    zalo.script = [500, 500, 500, 500, 503, 429, 502]
    zalo.stall_message, zalo.stall_seconds = 5, 1.5
    policy = RetryPolicy(attempts=4, first_wait_seconds=0.01, timeout_seconds=0.5)

    night = deliver("zalo_zns", warehouse, tmp_path, "night-one", policy)

    assert night.failures == [f"{AUDIENCE}: 1 message(s) failed (customer ids {first}; first: "
                              "HTTP 500 after 4 attempts); they stay owed"]
    assert night.added == len(members) - 2  # not the failed one, nor the one in doubt
    assert tally().in_doubt == 1 and tally().owed == 1
    assert zalo.requests == len(members) + 6
    assert messages(warehouse, f"customer_id = '{first}'")[0][2] == "failed"
    [(in_doubt, answered)] = query(warehouse, """
        select phone, answered_at from activation.zns_messages where status = 'in_doubt'""")
    assert answered is None and in_doubt == zalo.accepted[4]["phone"]
    assert second in delivered_members(warehouse, "zalo_zns", AUDIENCE)

    next_night = deliver("zalo_zns", warehouse, tmp_path, "night-two", policy)

    assert not next_night.failures and next_night.added == 1  # only the failed one
    assert sorted(zalo.accepted_per_tracking_id().values()) == [1] * len(members)
    assert delivered_members(warehouse, "zalo_zns", AUDIENCE) == set(members)


def test_a_refused_token_stops_the_delivery_naming_the_setting_never_the_token(
        warehouse, zalo, tmp_path, monkeypatch, caplog):
    members = reachable(warehouse)
    monkeypatch.setenv("CDP_ZALO_ZNS_ACCESS_TOKEN", "an-expired-token")
    declare(declared())

    with caplog.at_level("DEBUG"):
        night = deliver("zalo_zns", warehouse, tmp_path, "night-one", QUICK)

    assert night.failures == [
        "Zalo refused every message (error -124: access token invalid): renew "
        f"CDP_ZALO_ZNS_ACCESS_TOKEN; {len(members)} message(s) owed"]
    assert night.added == 0 and zalo.requests == 1 and not zalo.accepted
    written = str(query(warehouse, "select * from activation.zns_messages"))
    assert "an-expired-token" not in written + caplog.text + str(night.failures)

    monkeypatch.setenv("CDP_ZALO_ZNS_ACCESS_TOKEN", TOKEN)  # renewed
    declare(declared())
    assert deliver("zalo_zns", warehouse, tmp_path, "night-two", QUICK).added == len(members)
    assert sorted(zalo.accepted_per_tracking_id().values()) == [1] * len(members)


KILLED_DELIVERY = """
import json, sys
from pathlib import Path
from cdp.activation.deliver import deliver
from cdp.settings import load_settings, use_settings
use_settings(load_settings(overrides={"models.audiences": json.loads(sys.argv[3])}))
deliver("zalo_zns", Path(sys.argv[1]), Path(sys.argv[2]), run_id="night-one-killed")
"""


def test_a_delivery_killed_mid_way_and_run_again_sends_each_member_exactly_one_message(
        warehouse, zalo, tmp_path):
    members = reachable(warehouse)
    # Zalo takes the eighth message and answers late; the delivery is killed while it waits.
    zalo.stall_message, zalo.stall_seconds = 8, 60
    delivery = subprocess.Popen(
        [sys.executable, "-c", KILLED_DELIVERY, str(warehouse), str(tmp_path / "files"),
         json.dumps(declared())],
        cwd=Path(__file__).resolve().parents[2], env=os.environ.copy())
    deadline = time.monotonic() + 60
    while len(zalo.accepted) < 8 and delivery.poll() is None and time.monotonic() < deadline:
        time.sleep(0.05)
    delivery.send_signal(signal.SIGKILL)
    assert delivery.wait(timeout=30) == -signal.SIGKILL, "the delivery ended before the kill"
    assert len(zalo.accepted) == 8
    assert [row[2] for row in messages(warehouse)].count("sending") == 1
    zalo.stall_message = None

    rerun = deliver("zalo_zns", warehouse, tmp_path / "files", "night-one-rerun", QUICK)

    assert not rerun.failures and rerun.added == len(members) - 8
    assert (tally().already_messaged, tally().in_doubt) == (7, 1)
    assert sorted(zalo.accepted_per_tracking_id().values()) == [1] * len(members)
    assert {message["phone"] for message in zalo.accepted} == {
        phone for phone, _, _ in members.values()}
    assert [row[2] for row in messages(warehouse, "status != 'sent'")] == ["in_doubt"]
    assert delivered_members(warehouse, "zalo_zns", AUDIENCE) == set(members)


def test_a_phone_two_members_share_gets_the_message_once(warehouse, zalo, tmp_path):
    members = reachable(warehouse)
    first, second = sorted(members)[:2]
    with duckdb.connect(str(warehouse)) as connection:  # a household's phone, on both
        connection.execute("update marts.audience_changes set phone = ? where customer_id = ?",
                           [f"+{members[first][0]}", second])

    night = deliver("zalo_zns", warehouse, tmp_path, "night-one", QUICK)

    assert night.added == len(members) - 1 and tally().shared_phone == 1
    assert [message["phone"] for message in zalo.accepted].count(members[first][0]) == 1
    assert delivered_members(warehouse, "zalo_zns", AUDIENCE) == set(members)


def test_an_erasure_finds_the_persons_messages_by_customer_id_or_phone(
        warehouse, zalo, tmp_path):
    members = reachable(warehouse)
    deliver("zalo_zns", warehouse, tmp_path, "night-one", QUICK)
    customer = sorted(members)[0]
    # By their customer id, or by their phone alone (a message sent under an id since merged).
    for value in (customer, f"+{members[customer][0]}"):
        with duckdb.connect(str(warehouse)) as connection:
            mentions = Mentions(frozenset({value}), (), ())
            load_erased_values(connection, mentions)
            found = {relation: (condition, parameters) for relation, condition, parameters
                     in tables_mentioning(connection, mentions)}
            condition, parameters = found['"activation"."zns_messages"']
            assert connection.execute(f"select customer_id from activation.zns_messages "
                                      f"where {condition}", parameters).fetchall() == [
                (customer,)]


@pytest.mark.parametrize(("audiences", "problem"), [
    (declared(consent_purpose="email_marketing"),
     f"audience {AUDIENCE}: zalo_zns sends Zalo messages: its consent_purpose must be "
     "sms_marketing (the purpose covering SMS and Zalo messages), got email_marketing"),
    (declared(name_column="fullname"),
     f"audience {AUDIENCE}: zalo_zns: template parameter customer_name: no column fullname in "
     "marts.customers"),
])
def test_a_mistake_in_the_declaration_stops_the_build_naming_it(warehouse, audiences, problem):
    with pytest.raises(DbtBuildFailed) as failed:
        dbt_build(warehouse, variables={"audiences": audiences}, select="audience_summaries",
                  target_path=warehouse.parent / "dbt_target")
    assert problem in str(failed.value)
