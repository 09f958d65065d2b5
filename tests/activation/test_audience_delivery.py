"""Audiences declared in vars, built by dbt on the sample, delivered to file destinations and a
signed webhook on 127.0.0.1: consent filtering, night-over-night changes, hashing, retries."""

import os
import re
import subprocess
import sys
import time
from pathlib import Path

from cdp.activation.deliver import deliver
from cdp.activation.destinations.webhook import deliver_batches
from cdp.activation.http import RetryPolicy
from cdp.activation.state import delivered_members, pending_changes, record_delivered
from cdp.testing.hubspot_server import HubSpotServer
from cdp.testing.receiver import Receiver
from tests.helpers import (
    AUDIENCE_CONDITION,
    audiences,
    expected_hash,
    members_of,
    query,
    read_rows,
    run_transform,
)


def test_an_audience_holds_exactly_its_consenting_members(audience_warehouse):
    for audience, purpose in (("Buyers by email", "email_marketing"),
                              ("Buyers for ads", "advertising")):
        # An email audience also leaves out addresses the email tools say may not get
        # marketing (unsubscribed, complained, hard-bounced): docs/email.md.
        reachable = "email_may_receive_marketing" if purpose == "email_marketing" else "true"
        consenting = {row[0] for row in query(audience_warehouse, f"""
            select customer_id from marts.customers
            where {AUDIENCE_CONDITION} and consent_{purpose} = 'granted'
                and not is_processing_restricted and {reachable}""")}
        assert members_of(audience_warehouse, audience) == consenting and consenting
        [(selected, members, excluded, blocked)] = query(audience_warehouse, """
            select selected_count, members_count, excluded_without_consent_count,
                excluded_unsubscribed_count + excluded_complained_count + excluded_bounced_count
            from marts.audience_summaries where audience_name = ?""", [audience])
        [(buyers, without, unreachable)] = query(audience_warehouse, f"""
            select count(*),
                count(*) filter (where consent_{purpose} != 'granted' and {reachable}),
                count(*) filter (where not {reachable})
            from marts.customers where {AUDIENCE_CONDITION} and not is_processing_restricted""")
        assert (selected, members, excluded, blocked) == (
            buyers, len(consenting), without, unreachable)
        assert excluded > 0  # the sample has buyers who never consented


def test_upload_files_hold_the_members_hashed_as_each_platform_specifies(warehouse, tmp_path):
    out = tmp_path / "activation"
    members = query(warehouse, """
        select email, phone from marts.audience_members where audience_name = 'Buyers for ads'""")

    meta = deliver("meta", warehouse, out, run_id="run-one-0000")
    google = deliver("google_ads", warehouse, out, run_id="run-one-0000")

    assert meta.added == google.added == len(members) and not meta.failures
    [meta_file] = meta.files
    [google_file] = google.files
    # Independent normalization: Meta's phone is digits with the country code, Google's E.164.
    assert {(row["email"], row["phone"]) for row in read_rows(Path(meta_file))} == {
        (expected_hash(email.strip().lower()) if email else "",
         expected_hash(phone.removeprefix("+")) if phone else "") for email, phone in members}
    assert {(row["Email"], row["Phone"]) for row in read_rows(Path(google_file))} == {
        (expected_hash(email.strip().lower()) if email else "",
         expected_hash(phone) if phone else "") for email, phone in members}
    text = Path(meta_file).read_text() + Path(google_file).read_text()
    assert "@" not in text and "+84" not in text
    # Delivered: nothing is pending for these destinations until the audience changes.
    assert pending_changes(warehouse, "meta") == {}
    assert delivered_members(warehouse, "meta", "Buyers for ads") == members_of(
        warehouse, "Buyers for ads")


def test_the_next_night_sends_only_who_joined_who_left_and_who_changed_address(
        warehouse, tmp_path, monkeypatch):
    out = tmp_path / "activation"
    receiver = Receiver(secret="a-shared-secret")
    monkeypatch.setenv("CDP_WEBHOOK_URL", receiver.url)
    monkeypatch.setenv("CDP_WEBHOOK_SECRET", "a-shared-secret")
    quick = RetryPolicy(attempts=2, first_wait_seconds=0.01, timeout_seconds=2)
    before = members_of(warehouse, "Buyers by email")
    first = deliver("csv", warehouse, out, run_id="night-one-000")
    assert first.added == len(before) and first.removed == 0
    assert deliver("webhook", warehouse, out, "night-one-000", quick).added == len(before)
    # A member who stays starts writing their address with a tag: the same mailbox (identity
    # folds the tag away), but the address the tools know changes.
    [(moved, old_email)] = query(warehouse, """
        select members.customer_id, members.email from marts.audience_members as members
        inner join marts.customers using (customer_id)
        where members.audience_name = 'Buyers by email' and customers.orders_count > 1
            and members.email not like '%+%'
            and (select count(*) from intermediate.int_customer_email_spellings as spellings
                 where spellings.customer_id = members.customer_id) = 1
        order by members.customer_id limit 1""")
    local, domain = old_email.split("@")
    new_email = f"{local}+news@{domain}"
    rewrite_address_in_raw_tables(warehouse, old_email, new_email)

    # Night 2, with a narrower audience; the raw rows were rewritten in place, which no load
    # does: rebuilt from all of history.
    run_transform(warehouse, audiences("orders_count > 1"), full_refresh=True)
    after = members_of(warehouse, "Buyers by email")
    assert moved in after
    changes = query(warehouse, """
        select change, customer_id, email from marts.audience_changes
        where destination = 'csv' and audience_name = 'Buyers by email'""")
    assert {customer for change, customer, _ in changes if change == "remove"} == (
        before - after) | {moved}
    assert {customer for change, customer, _ in changes if change == "add"} == (
        after - before) | {moved}
    assert {(change, email) for change, customer, email in changes if customer == moved} == {
        ("remove", old_email), ("add", new_email)}
    second = deliver("csv", warehouse, out, run_id="night-two-000")

    assert second.removed == len(before - after) + 1 > 1
    removes = [Path(path) for path in second.files if path.endswith("-removes.csv")]
    adds = [Path(path) for path in second.files if path.endswith("-adds.csv")]
    assert {row["customer_id"] for row in read_rows(removes[0])} == (before - after) | {moved}
    assert {"customer_id": moved, "email": old_email} in [
        {key: row[key] for key in ("customer_id", "email")} for row in read_rows(removes[0])]
    assert {"customer_id": moved, "email": new_email} in [
        {key: row[key] for key in ("customer_id", "email")} for row in read_rows(adds[0])]
    assert removes[0].stat().st_mode & 0o777 == 0o600  # plain identifiers: owner only
    assert delivered_members(warehouse, "csv", "Buyers by email") == after
    # Files sort in the order to upload them: removals first.
    assert sorted(second.files) == [str(removes[0]), str(adds[0])]

    # The webhook refuses the batch of removals tonight: the changed member's add waits with
    # it (sent alone, it would replace the record of the old address, and that removal with
    # it), while the others' adds go.
    receiver.fail_removal_of = moved
    webhook = deliver("webhook", warehouse, out, "night-two-000", quick)
    assert webhook.failures and webhook.removed == 0
    assert webhook.added == len(after - before)
    assert query(warehouse, "select email from activation.delivered_audience_members "
                            "where destination = 'webhook' and customer_id = ?", [moved]) == [
        (old_email,)]
    receiver.fail_removal_of = None
    webhook = deliver("webhook", warehouse, out, "night-three-00", quick)  # the next delivery
    assert not webhook.failures
    assert (webhook.removed, webhook.added) == (len(before - after) + 1, 1)
    assert receiver.members["Buyers by email"] == after
    assert pending_changes(warehouse, "webhook") == {}
    receiver.close()
    assert pending_changes(warehouse, "csv") == {}
    assert query(warehouse, "select email from activation.delivered_audience_members "
                            "where destination = 'csv' and customer_id = ?", [moved]) == [
        (new_email,)]


def rewrite_address_in_raw_tables(warehouse: Path, old: str, new: str) -> None:
    """Every raw value holding the address, however cased, written the new way instead (as a
    source would export it from now on)."""
    import duckdb

    pattern = "(?i)" + re.escape(old)
    with duckdb.connect(str(warehouse)) as connection:
        columns = connection.execute("""
            select table_schema, table_name, column_name from information_schema.columns
            where table_schema like 'raw_%' and data_type in ('VARCHAR', 'JSON')
                and table_catalog = current_database()""").fetchall()
        changed = 0
        for schema, table, column in columns:
            changed += connection.execute(
                f'update "{schema}"."{table}" set "{column}" = '
                f'regexp_replace("{column}", ?, ?, \'g\') '
                f'where regexp_matches("{column}", ?)', [pattern, new, pattern]).fetchone()[0]
    assert changed


def test_the_webhook_ends_with_exactly_the_audience_through_429_5xx_and_a_timeout(
        warehouse, monkeypatch):
    receiver = Receiver(secret="a-shared-secret")
    monkeypatch.setenv("CDP_WEBHOOK_URL", receiver.url)
    monkeypatch.setenv("CDP_WEBHOOK_SECRET", "a-shared-secret")
    members = members_of(warehouse, "Buyers by email")
    stuck = sorted(members)[len(members) // 2]
    receiver.script = [(429, 0), (503, 0), (200, 2.0)]  # the third answer comes too late
    receiver.always_fail_customer = stuck  # one batch keeps failing tonight
    policy = RetryPolicy(attempts=4, first_wait_seconds=0.05, timeout_seconds=0.5)
    try:
        changes = pending_changes(warehouse, "webhook")["Buyers by email"]
        position = [change.customer_id for change in changes].index(stuck)
        failed_batch = {change.customer_id for change in
                        changes[position // 10 * 10:position // 10 * 10 + 10]}
        failures = deliver_batches("Buyers by email", changes,
                                   lambda batch: record_delivered(warehouse, "webhook", batch,
                                                                  "night-one"),
                                   batch_size=10, policy=policy)
        assert len(failures) == 1 and "500" in failures[0]
        assert receiver.members["Buyers by email"] == delivered_members(
            warehouse, "webhook", "Buyers by email") == members - failed_batch
        # Next night the receiver is well again: only the failed batch goes, once.
        receiver.always_fail_customer = None
        applied_before = len(receiver.applied_keys)
        pending = pending_changes(warehouse, "webhook")["Buyers by email"]
        assert {change.customer_id for change in pending} == failed_batch
        report = deliver("webhook", warehouse, Path("unused"), run_id="night-two")
        assert not report.failures and report.added == len(failed_batch)
        assert len(receiver.applied_keys) == applied_before + 1
        assert receiver.members["Buyers by email"] == members
        assert receiver.bad_signatures == 0
        assert pending_changes(warehouse, "webhook") == {}
    finally:
        receiver.close()


def test_a_retried_delivery_resends_a_batch_the_receiver_applied_under_its_key(
        warehouse, monkeypatch):
    receiver = Receiver(secret="a-shared-secret")
    monkeypatch.setenv("CDP_WEBHOOK_URL", receiver.url)
    monkeypatch.setenv("CDP_WEBHOOK_SECRET", "a-shared-secret")
    monkeypatch.setenv("CDP_WEBHOOK_BATCH_SIZE", "20")
    members = members_of(warehouse, "Buyers by email")
    assert len(members) > 40  # three batches or more
    receiver.lost_answers = {2}  # the second batch is applied, but its answer never comes
    once = RetryPolicy(attempts=1, timeout_seconds=2)
    try:
        night = deliver("webhook", warehouse, Path("unused"), "night-one-000", once)
        assert len(night.failures) == 1 and night.added == len(members) - 20
        applied = list(receiver.applied_keys)
        # Dagster's retry of the step, on the same build: the other batches were recorded
        # meanwhile, yet the resent batch carries the key the receiver already applied.
        retry = deliver("webhook", warehouse, Path("unused"), "night-one-000", once)
        assert not retry.failures and retry.added == 20
        assert receiver.applied_keys == applied
        assert receiver.members["Buyers by email"] == members
        assert delivered_members(warehouse, "webhook", "Buyers by email") == members
    finally:
        receiver.close()


KILLED_DELIVERY = """
import sys
from pathlib import Path
from cdp.activation.deliver import deliver
deliver("hubspot", Path(sys.argv[1]), Path(sys.argv[2]), run_id="night-one-killed")
"""


def test_hubspot_ends_with_exactly_the_audience_after_429s_5xx_a_refusal_and_a_kill(
        warehouse, tmp_path, monkeypatch):
    server = HubSpotServer(token="pat-test-token")
    monkeypatch.setenv("DESTINATION__HUBSPOT__ACCESS_TOKEN", "pat-test-token")
    monkeypatch.setenv("DESTINATION__HUBSPOT__API_BASE_URL", server.url)
    monkeypatch.setenv("CDP_HUBSPOT_BATCH_SIZE", "40")
    audience = "Everyone by email"
    with_email = {row[0]: row[1] for row in query(warehouse, """
        select customer_id, email from marts.audience_members
        where audience_name = ? and email is not null""", [audience])}
    assert len(with_email) > 120  # four batches of 40
    try:
        # Night one: HubSpot stalls after applying the second batch's membership change; the
        # delivery is killed while it waits, before recording that batch.
        server.stall_after_membership_calls = 1
        delivery = subprocess.Popen(
            [sys.executable, "-c", KILLED_DELIVERY, str(warehouse), str(tmp_path / "files")],
            cwd=Path(__file__).resolve().parents[2], env=os.environ.copy())
        deadline = time.monotonic() + 120
        while server.membership_calls < 2 and time.monotonic() < deadline:
            time.sleep(0.1)
        delivery.kill()
        delivery.wait()
        assert server.membership_calls == 2
        held_at_kill = server.list_members_emails(f"CDP: {audience}")
        recorded_at_kill = delivered_members(warehouse, "hubspot", audience)
        assert len(recorded_at_kill) < len(held_at_kill) < len(with_email)

        # The rerun: throttled, a gateway error, and one address HubSpot refuses.
        server.stall_after_membership_calls = None
        server.script = [429, 502, 429]
        refused = sorted(set(with_email.values()) - held_at_kill)[0]  # not sent yet
        server.refused_emails = {refused}
        report = deliver("hubspot", warehouse, tmp_path / "files", run_id="night-one-rerun")
        # (Refused in the killed night's batch dlt resumes, and again among the changes still
        # pending after it.)
        [refused_customer] = [customer for customer, email in with_email.items()
                              if email == refused]
        # Named by customer id, never by address, so it can be looked up (cdp explain).
        assert set(report.failures) == {f"{audience}: HubSpot refused 1 contact(s) (customer "
                                        f"ids {refused_customer}); they stay pending"}
        assert server.list_members_emails(f"CDP: {audience}") == set(with_email.values()) - {
            refused}
        # Next night HubSpot takes the address: only it is sent.
        server.refused_emails = set()
        requests_before = server.requests
        report = deliver("hubspot", warehouse, tmp_path / "files", run_id="night-two")
        assert not report.failures and report.added == 1
        assert server.requests - requests_before == 3  # list lookup, upsert, membership
        assert server.list_members_emails(f"CDP: {audience}") == set(with_email.values())
        assert delivered_members(warehouse, "hubspot", audience) == set(with_email)
        emails = [contact["email"] for contact in server.contacts.values()]
        assert len(emails) == len(set(emails)) == len(with_email)  # no duplicate contact
        assert server.unauthorized == 0 and len(server.lists) == 1
        # Nothing left to send: a third delivery sends nothing.
        requests_before = server.requests
        assert deliver("hubspot", warehouse, tmp_path / "files", run_id="night-three").added == 0
        assert server.requests == requests_before
    finally:
        server.close()
