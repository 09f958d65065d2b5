"""Privacy requests as a user makes them, each followed by what comes next: the `cdp` command
on a deployment one real night built, then a normal night on a pseudo-terminal, the published
file read at once, or the data map of every place."""

import re
import subprocess
from pathlib import Path

from cdp.activation.state import ERASED_REMOVALS_TABLE
from cdp.privacy_requests.requests import Selector, restrict
from tests.helpers import query
from tests.privacy_requests.deployment import (
    ANSI,
    CDP,
    TOOL_OUTPUT,
    cdp,
    cdp_environment,
    copy_deployment,
    published,
)


def test_an_erased_buyer_then_a_normal_night_on_a_terminal_publishes_and_tells_destinations(
        nightly, tmp_path):
    settings = copy_deployment(nightly, tmp_path / "deployment")
    warehouse = Path(settings.warehouse)
    [(buyer,)] = query(warehouse, """
        select delivered.customer_id
        from cdp.activation.delivered_audience_members as delivered
        inner join marts.customers using (customer_id)
        where customers.orders_count > 0
        group by 1 order by count(*) desc, 1 limit 1""")
    orders_before = query(warehouse, "select count(*), sum(net_revenue) from marts.orders")
    request = ["privacy", "erase", "--customer-id", buyer, "--requested-by",
               "the person (ticket 1)", "--reason", "erasure"]
    preview = cdp(settings, *request, "--dry-run")
    assert preview.returncode == 0 and "Nothing was changed" in preview.stdout, preview.stderr
    assert query(warehouse, "select count(*) from marts.customers where customer_id = ?",
                 [buyer]) == [(1,)]

    erased = cdp(settings, *request)

    assert erased.returncode == 0, erased.stdout + erased.stderr
    screen = erased.stdout + erased.stderr
    lines = screen.splitlines()
    assert lines[0].startswith("cdp ") and lines[1].startswith("Erase req_"), screen
    assert len(lines) <= 20, screen
    assert not TOOL_OUTPUT.search(screen) and not ANSI.search(screen), screen
    # The preview counted what the erase removed, place for place.
    def counted(output: str, step: str) -> str:
        return next(line for line in output.splitlines() if line.strip().startswith(step))

    for step in ("warehouse", "published versions", "upload files"):
        assert counted(erased.stdout, step).startswith(counted(preview.stdout, step)), step
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

    shown = ANSI.sub("", night.stdout)
    assert night.returncode == 0, shown
    assert "Published version" in shown
    assert not TOOL_OUTPUT.search(shown), shown
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


def test_a_request_naming_a_phone_two_people_share_erases_nobody_and_says_how_to_name_one(
        nightly, tmp_path):
    settings = copy_deployment(nightly, tmp_path / "deployment")
    warehouse = Path(settings.warehouse)
    # A household's phone: on the records of two customers.
    [(phone,)] = query(warehouse, """
        select identifiers.identifier_value
        from intermediate.int_identifiers_unioned as identifiers
        inner join marts.customer_records as records
            on identifiers.source = records.source and identifiers.record_id = records.record_id
        where identifiers.identifier_type = 'phone'
        group by 1 having count(distinct records.customer_id) = 2
        order by 1 limit 1""")
    customers_before = query(warehouse, "select count(*) from marts.customers")

    asked = cdp(settings, "privacy", "erase", "--phone", phone, "--requested-by", "a caller",
                "--reason", "erasure")

    assert asked.returncode == 2, asked.stdout + asked.stderr
    assert "matches 2 customers" in asked.stdout
    # --yes would erase both: the answer also says how to name the one meant.
    assert "--customer-id or --record" in asked.stdout + asked.stderr
    assert query(warehouse, "select count(*) from marts.customers") == customers_before
