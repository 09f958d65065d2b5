"""The Klaviyo pull on real dlt loads against a Klaviyo-shaped API on 127.0.0.1: cursor
pagination, Retry-After on 429, a second pull asking only for what changed, a pull killed with
SIGKILL resuming from the last cursor loaded, the raw contract (quarantine, suppression of
erased people, one row per version), and what the models make of Klaviyo's subscriptions."""

import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import unquote

import pytest

from cdp.core.identifiers import email_key, salted_hash
from cdp.ingestion.suppression import Suppression
from cdp.settings import use_settings
from cdp.sources.pipeline import duckdb_destination, ingest_exports
from cdp.testing.exports_builder import lay_out, write_contacts
from cdp.testing.klaviyo_server import KlaviyoServer
from tests.helpers import query, run_ingest, run_transform

KEY = "pk_test_0123456789"
SUBSCRIBED = {"email": {"marketing": {"consent": "SUBSCRIBED",
                                      "consent_timestamp": "2026-09-01T08:00:00+00:00",
                                      "suppression": []}}}


def _subscriptions(consent: str, *suppressions: tuple[str, str]) -> dict:
    return {"email": {"marketing": {
        "consent": consent, "consent_timestamp": "2026-09-01T08:00:00+00:00",
        "suppression": [{"reason": reason, "timestamp": at} for reason, at in suppressions]}}}


@pytest.fixture
def klaviyo(monkeypatch) -> KlaviyoServer:
    server = KlaviyoServer(KEY)
    monkeypatch.setenv("CDP_KLAVIYO_API_KEY", KEY)
    monkeypatch.setenv("CDP_KLAVIYO_BASE_URL", server.url)
    # Retries wait as Retry-After says, within a bound a test can afford.
    monkeypatch.setenv("RUNTIME__REQUEST_MAX_RETRY_DELAY", "5")
    use_settings(None)
    server.add_metric("M-open", "Opened Email")
    server.add_metric("M-bounce", "Bounced Email")
    server.add_metric("M-spam", "Marked Email as Spam")
    yield server
    server.stop()
    use_settings(None)


def _pull(exports: Path, warehouse: Path, suppression: Suppression | None = None):
    destination, pipelines_dir = duckdb_destination(warehouse)
    return ingest_exports(str(exports), destination, pipelines_dir, ["email"],
                          suppression=suppression)


def _asked(server: KlaviyoServer, collection: str) -> list[str]:
    return [unquote(path) for path in server.requests if path.startswith(f"/api/{collection}")]


def test_a_pull_pages_waits_out_429s_and_then_asks_only_for_what_changed(klaviyo, tmp_path):
    for number in range(230):  # three pages of profiles
        klaviyo.add_profile(f"01P{number:04d}", f"2026-11-{1 + number % 20:02d}T10:00:00+00:00",
                            email=f"person{number}@kl-test.vn", subscriptions=SUBSCRIBED)
    klaviyo.add_event("E-1", "01P0001", "M-open", "2026-11-10T10:00:00+00:00",
                      **{"$message": "C-1"})
    klaviyo.too_many_before = {1, 5}  # the first request and a later page are throttled
    exports, warehouse = lay_out(tmp_path / "exports"), tmp_path / "warehouse" / "cdp.duckdb"

    started = time.monotonic()
    report = _pull(exports, warehouse)

    assert time.monotonic() - started >= 2  # waited Retry-After (1 s) twice
    [email] = report.systems
    assert email.rows_added == 231 and not email.failed_files
    assert query(warehouse, "select count(*), count(distinct id) from raw_email.klaviyo_profiles"
                 ) == [(230, 230)]
    pages = _asked(klaviyo, "profiles")
    # Three pages, pages 2 and 3 by links.next; each throttled request asked again.
    assert len(set(pages)) == 3 and len(pages) > 3
    assert all("page[size]=100" in page and "sort=updated" in page for page in pages)
    assert "page[cursor]=200" in pages[-1]
    first_window = pages[0].split("greater-than(updated,")[1].rstrip(")")

    # One profile changes in Klaviyo, one is new: the next pull asks from the last cursor on.
    klaviyo.requests.clear()
    klaviyo.too_many_before = set()
    klaviyo.add_profile("01P0005", "2026-11-25T09:00:00+00:00", email="person5@kl-test.vn",
                        subscriptions=_subscriptions("UNSUBSCRIBED"))
    klaviyo.add_profile("01P9999", "2026-11-26T09:00:00+00:00", email="new@kl-test.vn",
                        subscriptions=SUBSCRIBED)

    [email] = _pull(exports, warehouse).systems

    [asked] = _asked(klaviyo, "profiles")
    since = asked.split("greater-than(updated,")[1].split(")")[0]
    assert since > first_window and since.startswith("2026-11-20T09:59")  # a minute's lag
    assert email.rows_added == 2  # the re-read minute's profiles are stored once
    assert query(warehouse, "select count(*) from raw_email.klaviyo_profiles "
                            "where id = '01P0005'") == [(2,)]  # both versions kept


def test_a_row_that_cannot_be_read_is_set_aside_and_an_erased_person_is_never_stored(
        klaviyo, tmp_path):
    klaviyo.add_profile("01PGOOD", "2026-11-02T10:00:00+00:00", email="good@kl-test.vn")
    klaviyo.add_profile("01PBAD", "not a time", email="bad@kl-test.vn")
    klaviyo.add_profile("01PERASED", "2026-11-03T10:00:00+00:00", email="Erased@KL-test.vn")
    salt = "a-test-salt"
    suppression = Suppression(salt, frozenset({
        salted_hash(salt, "email", email_key("erased@kl-test.vn"))}))
    exports, warehouse = lay_out(tmp_path / "exports"), tmp_path / "warehouse" / "cdp.duckdb"

    _pull(exports, warehouse, suppression)

    assert query(warehouse, "select id from raw_email.klaviyo_profiles") == [("01PGOOD",)]
    [(source, reason, text)] = query(warehouse, """
        select source_file, reason, raw_text from raw_email.klaviyo_quarantine""")
    assert source == "klaviyo api: profiles" and "unparseable timestamp in 'updated'" in reason
    assert "01PBAD" in text
    assert "erased" not in str(query(warehouse, "select * from raw_email.klaviyo_quarantine")
                               ).lower()


_KILLED_PULL = """
import sys
from pathlib import Path
from cdp.sources.pipeline import duckdb_destination, ingest_exports
destination, pipelines_dir = duckdb_destination(Path(sys.argv[2]))
ingest_exports(sys.argv[1], destination, pipelines_dir, ["email"])
"""


def test_a_pull_killed_mid_way_resumes_from_the_last_cursor_loaded(klaviyo, tmp_path):
    for number in range(150):
        klaviyo.add_profile(f"01P{number:04d}", f"2026-10-{1 + number % 28:02d}T10:00:00+00:00",
                            email=f"first{number}@kl-test.vn", subscriptions=SUBSCRIBED)
    exports, warehouse = lay_out(tmp_path / "exports"), tmp_path / "warehouse" / "cdp.duckdb"
    _pull(exports, warehouse)
    loaded_cursor = "2026-10-28T09:59"
    # Klaviyo changes 250 more profiles; the next pull is killed on its third page.
    for number in range(250):
        klaviyo.add_profile(f"01Q{number:04d}", f"2026-11-{1 + number % 20:02d}T10:00:00+00:00",
                            email=f"later{number}@kl-test.vn", subscriptions=SUBSCRIBED)
    klaviyo.requests.clear()
    klaviyo.stall_from, klaviyo.stall_seconds = 3, 60
    environment = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[2])}
    pull = subprocess.Popen([sys.executable, "-c", _KILLED_PULL, str(exports), str(warehouse)],
                            env=environment)
    deadline = time.monotonic() + 60
    while len(klaviyo.requests) < 3 and time.monotonic() < deadline:
        time.sleep(0.1)
    os.kill(pull.pid, signal.SIGKILL)
    pull.wait()
    klaviyo.stall_from = None
    klaviyo.requests.clear()

    [email] = _pull(exports, warehouse).systems

    first = _asked(klaviyo, "profiles")[0]
    assert f"greater-than(updated,{loaded_cursor}" in first  # from the cursor loaded, not day 1
    assert email.rows_added == 250
    assert query(warehouse, """
        select count(*), count(distinct id) from raw_email.klaviyo_profiles""") == [(400, 400)]


def test_klaviyo_subscriptions_become_channel_status_and_consent(klaviyo, tmp_path):
    exports, warehouse = lay_out(tmp_path / "exports"), tmp_path / "warehouse" / "cdp.duckdb"
    write_contacts(exports, "contacts.csv", [
        {"Record ID": "1", "First Name": "Lan", "Last Name": "Nguyễn",
         "Email": "lan@kl-test.vn", "Create Date": "2026-08-01T10:00:00+07:00",
         "Last Modified Date": "2026-08-01T10:00:00+07:00"},
        {"Record ID": "2", "First Name": "Hùng", "Last Name": "Lê",
         "Email": "hung@kl-test.vn", "Create Date": "2026-08-01T10:00:00+07:00",
         "Last Modified Date": "2026-08-01T10:00:00+07:00"}])
    klaviyo.add_profile("01PLAN", "2026-11-02T10:00:00+00:00", email="lan@kl-test.vn",
                        first_name="Lan", last_name="Nguyễn", subscriptions=SUBSCRIBED)
    klaviyo.add_profile("01PHUNG", "2026-11-02T10:00:00+00:00", email="hung@kl-test.vn",
                        subscriptions=_subscriptions(
                            "SUBSCRIBED", ("HARD_BOUNCE", "2026-10-15T10:00:00+00:00")))
    klaviyo.add_event("E-1", "01PLAN", "M-open", "2026-11-10T10:00:00+00:00",
                      **{"$message": "C-1"})
    klaviyo.add_event("E-2", "01PLAN", "M-spam", "2026-11-11T10:00:00+00:00",
                      **{"$message": "C-1"})
    run_ingest(exports, warehouse)  # every source: the models read them all
    run_transform(warehouse)

    status = dict(query(warehouse, "select address, status from marts.customer_channel_status"))
    assert status == {"lan@kl-test.vn": "complained", "hung@kl-test.vn": "cleaned"}
    rows = dict(query(warehouse, """
        select email, consent_email_marketing || ' ' || emails_opened_count
        from marts.customers"""))
    assert rows == {"lan@kl-test.vn": "withdrawn 1", "hung@kl-test.vn": "granted 0"}
    # Each Klaviyo profile joined its person's CRM contact.
    assert query(warehouse, "select count(*) from marts.customers") == [(2,)]


def test_a_first_pull_reaches_back_to_the_date_given(klaviyo, tmp_path, monkeypatch):
    monkeypatch.setenv("CDP_PULL_SINCE", "2026-06-01")  # `cdp run --since`'s variable
    use_settings(None)
    klaviyo.add_profile("01PONE", "2026-11-02T10:00:00+00:00", email="one@kl-test.vn")

    _pull(lay_out(tmp_path / "exports"), tmp_path / "warehouse" / "cdp.duckdb")

    assert "greater-than(updated,2026-06-01T00:00:00+00:00)" in _asked(klaviyo, "profiles")[0]
