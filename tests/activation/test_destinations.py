"""The destination registry: each destination is one module behind one interface, listed once,
and what names destinations elsewhere agrees with it."""

from pathlib import Path

import pytest

from cdp.activation.destinations.base import Destination
from cdp.activation.destinations.files import UploadFile
from cdp.activation.destinations.registry import DESTINATIONS
from cdp.activation.erasure import person_tokens
from cdp.activation.state import Change
from cdp.transformation.dbt_vars import dbt_vars

pytestmark = pytest.mark.unit

MACRO = Path(__file__).resolve().parents[2] / "dbt_project/macros/declared_audiences.sql"


def test_every_destination_is_registered_under_the_name_audiences_declare():
    assert list(DESTINATIONS) == ["meta", "google_ads", "csv", "webhook", "hubspot", "zalo_zns"]
    for name, destination in DESTINATIONS.items():
        assert isinstance(destination, Destination)
        assert destination.name == name
        assert destination.kinds and destination.receives


def test_the_audiences_check_knows_exactly_the_registered_destinations():
    """dbt's check of the declared audiences reads the registry, through --vars."""
    assert dbt_vars()["cdp_destinations"] == list(DESTINATIONS)
    assert "var('cdp_destinations'" in MACRO.read_text()


def test_ads_platforms_and_hubspot_need_an_identifier_the_csv_and_webhook_do_not():
    needs = {name: not destination.can_receive(None, None)
             for name, destination in DESTINATIONS.items()}
    assert needs == {"meta": True, "google_ads": True, "csv": False, "webhook": False,
                     "hubspot": True, "zalo_zns": True}
    assert not DESTINATIONS["hubspot"].can_receive(None, "+84912345678")
    assert DESTINATIONS["meta"].can_receive(None, "+84912345678")


def test_a_file_destination_writes_removes_then_adds_and_skips_who_it_cannot_match(tmp_path):
    changes = [Change("Buyers", "add", "c1", "An@Example.com", "+84912345678", False),
               Change("Buyers", "add", "c2", None, None, False),
               Change("Buyers", "remove", "c3", "old@example.com", None, True)]
    meta = DESTINATIONS["meta"].write_change_files(tmp_path, "Buyers", changes, "run12345")
    csv = DESTINATIONS["csv"].write_change_files(tmp_path, "Buyers", changes, "run12345")
    assert [path.name.split("-", 4)[-1] for path in meta.values()] == ["1-removes.csv",
                                                                       "2-adds.csv"]
    assert len(meta["add"].read_text().splitlines()) == 2  # header and c1: c2 has nothing
    assert len(csv["add"].read_text().splitlines()) == 3  # the customer id is enough
    assert csv["add"].stat().st_mode & 0o777 == 0o600
    assert meta["add"].stat().st_mode & 0o777 == 0o640


def test_an_erasure_finds_the_person_in_every_cell_each_file_destination_writes():
    change = Change("Buyers", "add", "c1", " An.Nguyen@Example.com", "+84912345678")
    tokens = person_tokens([("email", " An.Nguyen@Example.com"), ("phone", "+84912345678")],
                           ["c1"])
    for destination in DESTINATIONS.values():
        if isinstance(destination, UploadFile):
            assert set(filter(None, destination.row(change))) <= tokens, destination.name
