"""More than two nights: each later night is a delta planned after the one before, from the same
seed, with the hazards an incremental pipeline has to handle; nights 1 and 2 stay as they were."""

import csv
import gzip
import json
from datetime import date, datetime, timedelta
from pathlib import Path

import pytest
from click.testing import CliRunner

from cdp.cli.sample import sample
from cdp.sample import generate_sample_exports, night_folders
from tests.helpers import SAMPLE_CUSTOMERS, SAMPLE_SEED

pytestmark = pytest.mark.unit

NIGHTS = 5
AS_OF = date(2026, 11, 22)  # the generator's default
SYSTEMS = {"website": "anonymousId", "crm": "Record ID", "social": "id", "pos": "Name"}


@pytest.fixture(scope="module")
def nights_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The suite's sample (same size and seed as `sample_dir`), written for five nights."""
    out = tmp_path_factory.mktemp("nights")
    generate_sample_exports(out, SAMPLE_CUSTOMERS, SAMPLE_SEED, nights=NIGHTS)
    return out


def _files(folder: Path) -> dict[Path, bytes]:
    return {path.relative_to(folder): path.read_bytes()
            for path in sorted(folder.rglob("*")) if path.is_file()}


def _records(night: Path, system: str) -> list[dict]:
    [path] = (night / system).iterdir()
    if system == "website":
        raw = path.read_bytes()
        raw = gzip.decompress(raw) if path.suffix == ".gz" else raw
        return [json.loads(line) for line in raw.splitlines()]
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def _ground_truth(out: Path) -> list[tuple[str, str, str]]:
    with (out / "ground_truth.csv").open(encoding="utf-8", newline="") as handle:
        return [(row["source"], row["record_id"], row["person_id"])
                for row in csv.DictReader(handle)]


def test_same_seed_same_nights(nights_dir, tmp_path):
    generate_sample_exports(tmp_path, SAMPLE_CUSTOMERS, SAMPLE_SEED, nights=NIGHTS)

    assert _files(tmp_path) == _files(nights_dir)  # gzip included: no time in its header


def test_the_first_two_nights_are_the_same_whatever_the_number_of_nights(nights_dir, sample_dir):
    for night in ("exports", "next_night"):
        assert _files(nights_dir / night) == _files(sample_dir / night)
    # Later nights only add records to the ground truth.
    truth_of_two = _ground_truth(sample_dir)
    assert _ground_truth(nights_dir)[:len(truth_of_two)] == truth_of_two
    assert night_folders(sample_dir) == [sample_dir / "exports", sample_dir / "next_night"]


def test_night_folders_lists_every_night_in_order(nights_dir):
    folders = night_folders(nights_dir)
    later_days = [AS_OF + timedelta(days=number - 1) for number in range(3, NIGHTS + 1)]
    assert folders == [nights_dir / "exports", nights_dir / "next_night"] + [
        nights_dir / "later_nights" / day.isoformat() for day in later_days]
    for folder, day in zip(folders[2:], later_days, strict=True):
        stamp = day.isoformat()
        names = {path.relative_to(folder).as_posix() for path in folder.rglob("*.*")}
        # Email, app and chat files only when the night holds some of theirs: a campaign, a
        # member whose status changed, an app opened, a message or a follow.
        optional = {name for name in names if name.split("/")[0] in ("email", "app", "chat")}
        assert names - optional - {f"website/events_{stamp}.jsonl",
                                   f"website/events_{stamp}.jsonl.gz"} == {
            f"crm/hubspot-crm-exports-all-contacts-{stamp}.csv",
            f"social/meta-lead-ads-{stamp}.csv", f"pos/orders_export_{stamp}.csv"}
        assert len(names - optional) == 4
        assert all(name.endswith(f"{stamp}.csv") or name.endswith(f"{stamp}.jsonl")
                   for name in optional)
        assert all(_records(folder, system) for system in SYSTEMS)  # a delta, never empty
    suffixes = {next((folder / "website").iterdir()).suffix for folder in folders[2:]}
    assert suffixes == {".jsonl", ".gz"}  # events both plain and gzipped, as nights 1 and 2


def test_later_nights_refund_orders_placed_weeks_or_months_before(nights_dir):
    folders = night_folders(nights_dir)
    exported = {row["Name"] for night in folders[:2] for row in _records(night, "pos")}
    late_refunds = []
    for night in folders[2:]:
        night_start = datetime.fromisoformat(f"{night.name}T00:00:00+07:00")
        rows = [row for row in _records(night, "pos") if row["Financial Status"]]
        late_refunds += [
            night_start - datetime.strptime(row["Created at"], "%Y-%m-%d %H:%M:%S %z")
            for row in rows if row["Name"] in exported
            and row["Financial Status"] in ("refunded", "partially_refunded")
        ]
        exported |= {row["Name"] for row in rows}
    assert late_refunds
    assert all(age >= timedelta(days=7) for age in late_refunds)


def test_later_nights_identify_devices_that_browsed_anonymously(nights_dir):
    """A device seen on an earlier night, never with a user id, now sends an identify: its
    earlier sessions join a known customer."""
    identified: set[str] = set()
    anonymous: set[str] = set()
    bridges = []
    for number, night in enumerate(night_folders(nights_dir), start=1):
        events = _records(night, "website")
        if number > 2:
            bridges += [event for event in events if event["type"] == "identify"
                        and event["anonymousId"] in anonymous]
        identified |= {event["anonymousId"] for event in events if event["userId"]}
        anonymous = (anonymous | {event["anonymousId"] for event in events}) - identified
    assert len(bridges) >= NIGHTS - 2
    assert all(event["userId"] and event["traits"]["email"] for event in bridges)


def test_ground_truth_covers_every_record_of_every_night(nights_dir):
    truth = _ground_truth(nights_dir)
    person_of = {(source, record_id): person for source, record_id, person in truth}
    assert len(person_of) == len(truth)
    for night in night_folders(nights_dir):
        for system, key in SYSTEMS.items():
            records = {(system, record[key]) for record in _records(night, system)}
            assert records <= person_of.keys(), (night, system)


def test_at_least_two_nights():
    with pytest.raises(ValueError, match="at least 2"):
        generate_sample_exports(Path("never-written"), 10, nights=1)


def test_the_command_passes_the_number_of_nights(tmp_path):
    result = CliRunner().invoke(sample, ["--customers", "30", "--nights", "3",
                                         "--out", str(tmp_path)])

    assert result.exit_code == 0, result.output
    assert "later_nights/2026-11-24/pos/orders_export_2026-11-24.csv" in result.output
    assert [path.name for path in night_folders(tmp_path)] == [
        "exports", "next_night", "2026-11-24"]
