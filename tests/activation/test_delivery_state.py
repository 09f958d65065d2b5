"""The delivery record and the webhook's idempotency keys across nights: the same undelivered
changes keep their key, the same change coming back after others were recorded gets a new one;
the removals an erasure owes; and removals that leave out identifiers another member still has."""

from pathlib import Path

import duckdb
import pytest

from cdp.activation.deliver import without_shared_identifiers
from cdp.activation.destinations.webhook import deliver_batches
from cdp.activation.erasure import owe_removals_of_erased
from cdp.activation.http import RetryPolicy
from cdp.activation.state import (
    ERASED_REMOVALS_TABLE,
    Change,
    delivered_members,
    delivery_state_token,
    record_delivered,
    table_exists,
)
from cdp.testing.receiver import Receiver

pytestmark = pytest.mark.unit

AUDIENCE = "Regulars"


def test_a_change_that_comes_back_after_others_were_recorded_is_applied_again(
        tmp_path: Path, monkeypatch):
    warehouse = tmp_path / "warehouse.duckdb"
    duckdb.connect(str(warehouse)).close()  # a warehouse no delivery has written yet
    receiver = Receiver(secret="s3cret")
    monkeypatch.setenv("CDP_WEBHOOK_URL", receiver.url)
    monkeypatch.setenv("CDP_WEBHOOK_SECRET", "s3cret")
    add = Change(AUDIENCE, "add", "cus_1", "an@example.vn", "+84912345678")
    remove = Change(AUDIENCE, "remove", "cus_1", "an@example.vn", "+84912345678")
    policy = RetryPolicy(attempts=2, first_wait_seconds=0.01, timeout_seconds=2)

    def send(change: Change) -> None:
        token = delivery_state_token(warehouse, "webhook", AUDIENCE)
        assert deliver_batches(AUDIENCE, [change], lambda batch: record_delivered(
            warehouse, "webhook", batch, "run"), policy=policy, state_token=token) == []

    try:
        before = delivery_state_token(warehouse, "webhook", AUDIENCE)
        # Sent, but the record was lost (a kill): the resend carries the same key.
        deliver_batches(AUDIENCE, [add], lambda batch: None, policy=policy, state_token=before)
        send(add)
        assert len(receiver.applied_keys) == 1 and receiver.members[AUDIENCE] == {"cus_1"}
        send(remove)  # night 5: they left
        assert receiver.members[AUDIENCE] == set()
        send(add)  # night 9: they are back — the same change, a new key, applied
        assert len(receiver.applied_keys) == 3
        assert receiver.members[AUDIENCE] == {"cus_1"}
        assert delivered_members(warehouse, "webhook", AUDIENCE) == {"cus_1"}
    finally:
        receiver.close()


def test_an_erasure_before_any_delivery_owes_no_destination_anything(tmp_path: Path):
    warehouse = tmp_path / "warehouse.duckdb"
    with duckdb.connect(str(warehouse)) as connection:  # no delivery has written it yet
        assert owe_removals_of_erased(connection, ["customer-1"], {"a@example.vn"}) == 0
        assert not table_exists(connection, ERASED_REMOVALS_TABLE)
    record_delivered(warehouse, "csv", [Change(AUDIENCE, "add", "customer-1", "a@example.vn",
                                               None)], run_id="night-one")
    with duckdb.connect(str(warehouse)) as connection:
        assert owe_removals_of_erased(connection, ["customer-1"], set()) == 1
        # Owed once, however often the erasure is retried.
        assert owe_removals_of_erased(connection, [], {"a@example.vn"}) == 0
        assert connection.execute(
            f"select destination, audience_name, customer_id, email from {ERASED_REMOVALS_TABLE}"
        ).fetchall() == [("csv", AUDIENCE, "customer-1", "a@example.vn")]


def test_a_removal_leaves_out_what_another_member_still_has():
    # A family inbox and a household phone: when one of them leaves, the ads platforms and
    # HubSpot, which match on those, must not lose the one who stays.
    still_wanted = {"email": {"nha@example.vn": {"cus_stays"}},
                    "phone": {"+84912345678": {"cus_stays"}, "+84987654321": {"cus_leaves"}}}
    removes = [Change(AUDIENCE, "remove", "cus_leaves", "nha@example.vn", "+84987654321"),
               Change(AUDIENCE, "remove", "cus_other", "other@example.vn", "+84912345678")]
    assert without_shared_identifiers(removes, still_wanted) == [
        Change(AUDIENCE, "remove", "cus_leaves", None, "+84987654321"),
        Change(AUDIENCE, "remove", "cus_other", "other@example.vn", None)]
    # A member's own identifiers are theirs to remove (a member whose email changed).
    own = [Change(AUDIENCE, "remove", "cus_stays", "nha@example.vn", "+84912345678")]
    assert without_shared_identifiers(own, still_wanted) == own
