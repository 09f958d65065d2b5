"""Privacy requests as a user makes them, each followed by what comes next: the `cdp` command
on a deployment one real night built, then a normal night on a pseudo-terminal, the published
file read at once, or a rerun after the request was killed half-way."""

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

from activation.deliver import deliver
from activation.state import ERASED_REMOVALS_TABLE
from orchestration.privacy.requests import Selector, restrict
from orchestration.settings import CdpSettings
from privacy.store import PrivacyStore
from tests.conftest import query
from tests.privacy.traces import cleanly_resolved_person, everywhere, patterns_of, what_names_them

CDP = str(Path(sys.executable).parent / "cdp")
# What dbt, Splink or a traceback print: none of it belongs on the user's screen.
_TOOL_OUTPUT = re.compile(r"\d+ of \d+ (START|OK|PASS)|Running with dbt|Finished running|"
                          r"splink|Traceback|Concurrency: \d", re.IGNORECASE)
_ANSI = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]")


def copy_deployment(settings: CdpSettings, folder: Path) -> CdpSettings:
    """The whole deployment (exports, warehouse, published versions, reports) copied: each test
    acts on its own. The published views file points at the original's versions until the
    copy's first publish rewrites it, so reads of it wait for one."""
    source = Path(settings.warehouse).parents[1]
    shutil.copytree(source, folder, symlinks=True)

    def moved(path: str) -> str:
        return str(folder / Path(path).relative_to(source))

    return CdpSettings(exports_dir=moved(settings.exports_dir),
                       warehouse=moved(settings.warehouse),
                       published_warehouse=moved(settings.published_warehouse),
                       reports_dir=moved(settings.reports_dir))


def cdp_environment(settings: CdpSettings) -> dict[str, str]:
    return {**os.environ, "CDP_WAREHOUSE": settings.warehouse,
            "CDP_PUBLISHED_WAREHOUSE": settings.published_warehouse,
            "CDP_REPORTS_DIR": settings.reports_dir, "CDP_EXPORTS_DIR": settings.exports_dir}


def cdp(settings: CdpSettings, *arguments: str) -> subprocess.CompletedProcess:
    return subprocess.run([CDP, *arguments], env=cdp_environment(settings), capture_output=True,
                          text=True, timeout=600)


def published(settings: CdpSettings, sql: str, params: list | None = None,
              role_file: str = "cdp.duckdb") -> list[tuple]:
    path = Path(settings.published_warehouse).with_name(role_file)
    with duckdb.connect(str(path), read_only=True) as connection:
        return connection.execute(sql, params or []).fetchall()


def test_an_erased_buyer_then_a_normal_night_on_a_terminal_publishes_and_tells_destinations(
        nightly, tmp_path):
    settings = copy_deployment(nightly, tmp_path / "deployment")
    warehouse = Path(settings.warehouse)
    [(buyer,)] = query(warehouse, """
        select delivered.customer_id
        from activation.delivered_audience_members as delivered
        inner join marts.customers using (customer_id)
        where customers.orders_count > 0
        group by 1 order by count(*) desc, 1 limit 1""")
    orders_before = query(warehouse, "select count(*), sum(net_revenue) from marts.orders")

    erased = cdp(settings, "privacy", "erase", "--customer-id", buyer, "--requested-by",
                 "the person (ticket 1)", "--reason", "erasure")

    assert erased.returncode == 0, erased.stdout + erased.stderr
    screen = erased.stdout + erased.stderr
    lines = screen.splitlines()
    assert lines[0].startswith("cdp ") and lines[1].startswith("Erase req_"), screen
    assert len(lines) <= 20, screen
    assert not _TOOL_OUTPUT.search(screen) and not _ANSI.search(screen), screen
    # Already in what BI reads, before any night: gone, and their orders kept as sales.
    assert published(settings, "select count(*) from marts.customers where customer_id = ?",
                     [buyer]) == [(0,)]
    assert published(settings, "select count(*), sum(net_revenue) from marts.orders") \
        == orders_before
    [(owed,)] = query(warehouse, f"select count(*) from {ERASED_REMOVALS_TABLE}")
    assert owed > 0  # a removal for each destination that held them

    exports = settings.exports_dir
    night = subprocess.run(
        ["script", "-qec", f"{CDP} run --exports-dir {exports} --warehouse {warehouse} "
                           f"--published {settings.published_warehouse}", "/dev/null"],
        env={**cdp_environment(settings), "TERM": "xterm-256color", "COLUMNS": "120"},
        capture_output=True, text=True, timeout=900)

    shown = _ANSI.sub("", night.stdout)
    assert night.returncode == 0, shown
    assert "Published version" in shown
    assert not _TOOL_OUTPUT.search(shown), shown
    # Besides the progress bars' frames, redrawn in place: a line per stage and the outcome.
    lines = [line for line in re.split(r"[\r\n]+", shown) if line.strip() and "━" not in line]
    assert len(lines) <= 20, shown
    # The removals owed to every destination that held them were delivered that night.
    assert query(warehouse, f"select count(*) from {ERASED_REMOVALS_TABLE}") == [(0,)]
    assert query(warehouse, "select count(*) from activation.delivered_audience_members "
                            "where customer_id = ?", [buyer]) == [(0,)]


def test_a_restriction_reaches_the_published_files_and_the_audiences_at_once(nightly, tmp_path):
    settings = copy_deployment(nightly, tmp_path / "deployment")
    warehouse = Path(settings.warehouse)
    [(member,)] = query(warehouse, """
        select customer_id from marts.audience_members
        inner join marts.customer_consents using (customer_id)
        where customer_consents.status = 'granted'
        group by 1 order by 1 limit 1""")

    result = restrict(settings, Selector(customer_id=member), requested_by="the person",
                      reason="objects to profiling")

    assert not result.notes and "published now" in result.steps
    assert published(settings, "select is_processing_restricted from marts.customers "
                               "where customer_id = ?", [member]) == [(True,)]
    assert published(settings, "select distinct status from marts.customer_consents "
                               "where customer_id = ?", [member]) == [("withdrawn",)]
    assert published(settings, "select count(*) from marts.audience_members "
                               "where customer_id = ?", [member]) == [(0,)]
    # The marketing role reads consenting customers only: no longer them.
    assert published(settings, "select count(*) from marts.customers where customer_id = ?",
                     [member], "cdp_marketing.duckdb") == [(0,)]


def _journal(settings: CdpSettings) -> dict | None:
    folder = PrivacyStore(Path(settings.warehouse)).journal_folder
    for path in folder.glob("req_*.json") if folder.exists() else []:
        try:
            return json.loads(path.read_text())
        except (OSError, ValueError):
            continue  # being replaced
    return None


# A moment to kill at: the journal written; the published versions cleaned; the models being
# rebuilt (every step before them done).
KILL_MOMENTS = {
    "journaled": lambda journal: True,
    "after the published versions": lambda journal: "published versions" in journal["steps_done"],
    "while the models rebuild": lambda journal: "dagster storage" in journal["steps_done"],
}


@pytest.mark.parametrize(("moment", "finished_by"), [
    *((moment, "its rerun") for moment in KILL_MOMENTS),
    ("while the models rebuild", "the next night"),
])
def test_an_erasure_killed_at_any_moment_is_finished_and_leaves_no_trace(
        nightly, privacy_sample, tmp_path, moment, finished_by):
    settings = copy_deployment(nightly, tmp_path / "deployment")
    warehouse = Path(settings.warehouse)
    _, records = cleanly_resolved_person(warehouse, privacy_sample)
    patterns = patterns_of(what_names_them(Path(settings.exports_dir), records))
    crm_id = next(record_id for source, record_id in records if source == "crm")
    command = [CDP, "privacy", "erase", "--record", f"crm:{crm_id}", "--requested-by",
               "the person", "--reason", "erasure"]

    running = subprocess.Popen(command, env=cdp_environment(settings),
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 300
    while time.monotonic() < deadline and running.poll() is None:
        journal = _journal(settings)
        if journal is not None and KILL_MOMENTS[moment](journal):
            running.send_signal(signal.SIGKILL)
            break
        time.sleep(0.005)
    assert running.wait(timeout=60) == -signal.SIGKILL, "the erasure ended before the moment"
    assert _journal(settings) is not None  # left under way

    if finished_by == "its rerun":
        rerun = cdp(settings, *command[1:])
        assert rerun.returncode == 0, rerun.stdout + rerun.stderr
        assert "(interrupted, finished now)" in rerun.stdout
        assert "Nothing more to do" in rerun.stdout
    else:
        night = cdp(settings, "run", "--exports-dir", settings.exports_dir)
        assert night.returncode == 0, night.stdout + night.stderr
        assert "finished the interrupted request req_" in night.stdout
    assert _journal(settings) is None
    # Only the removals owed to the destinations that held them name them until delivered, and
    # then the removes files that take them out of each tool (a night delivers them itself).
    owed = f'"activation"."{ERASED_REMOVALS_TABLE.split(".")[1]}"'
    assert {hit.split(":")[0] for hit in everywhere(settings, patterns)
            if "-removes.csv" not in hit} <= {owed}
    for destination in ("csv", "meta", "google_ads"):
        deliver(destination, warehouse, settings.activation_dir, "after-erasure")
    for path in settings.activation_dir.rglob("*-removes.csv"):
        path.unlink()  # taken by the tools
    assert everywhere(settings, patterns) == []
    # The request, finished, in the audit (a rerun that found no one left is recorded too).
    [request] = [row for row in PrivacyStore(warehouse).requests()
                 if row["kind"] == "erase" and row["outcome"] == "done"]
    assert request["records_matched"] == len(records)


def test_the_data_map_lists_every_place_outside_the_warehouse_that_holds_an_email(nightly,
                                                                                  tmp_path):
    settings = copy_deployment(nightly, tmp_path / "deployment")
    out = tmp_path / "data_map.md"

    mapped = cdp(settings, "privacy", "map", "--warehouse", settings.warehouse, "--out", str(out))

    assert mapped.returncode == 0, mapped.stderr
    text = out.read_text()
    places = [Path(path) for path in re.findall(r"`(/[^`]+)`", text.split(
        "## Outside the warehouse")[1])]
    email = re.compile(rb"[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+\.[a-z]{2,}")
    holding = [path for path in Path(settings.warehouse).parents[1].rglob("*")
               if path.is_file() and path != Path(settings.warehouse)
               and Path(settings.exports_dir) not in path.parents
               and email.search(path.read_bytes())]
    assert holding, "the deployment holds emails outside the warehouse"
    assert [path for path in holding
            if not any(path == place or place in path.parents for place in places)] == []
