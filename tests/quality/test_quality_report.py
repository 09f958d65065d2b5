"""The offline quality report, written by real Great Expectations validations."""

import json
import re
from collections.abc import Callable
from functools import partial
from pathlib import Path

import duckdb
import great_expectations as gx
import pytest

from cdp.quality.check import QualityCheck
from cdp.quality.thresholds import Thresholds
from cdp.quality.validation import QualityValidator, quality_report_index, run_report_page

HOSTILE = '<script>alert("owned")</script>'


@pytest.fixture
def warehouse(tmp_path: Path) -> Path:
    path = tmp_path / "warehouse.duckdb"
    with duckdb.connect(str(path)) as connection:
        connection.execute("create table contacts (id integer, email varchar)")
        connection.execute("insert into contacts values (1, 'a@example.com'), (2, ?), (3, null)",
                           [HOSTILE])
    return path


def _check(name: str, blocking: bool, expectation: Callable[[], gx.expectations.Expectation]
           ) -> QualityCheck:
    return QualityCheck(
        name=name,
        asset=("crm", "contacts"),
        description=f"{name}: <b>not markup</b>",
        blocking=blocking,
        query="select id, email from contacts",
        expectations=lambda: [expectation()],
    )


CHECKS = [
    _check("contacts_ids_present", True, partial(
        gx.expectations.ExpectColumnValuesToNotBeNull, column="id")),
    _check("contacts_emails_valid", True, partial(
        gx.expectations.ExpectColumnValuesToMatchRegex, column="email",
        regex=r"^[^<>@\s]+@[^<>@\s]+$")),
    _check("contacts_emails_present", False, partial(
        gx.expectations.ExpectColumnValuesToNotBeNull, column="email")),
]


def _run(validator: QualityValidator, warehouse: Path, run_id: str,
         checks: list[QualityCheck] = CHECKS) -> None:
    for check in checks:
        validator.run(check, warehouse, run_id)


def _external_references(page: str) -> list[str]:
    patterns = [r"https?:", r"//cdn", r"<script", r"<link", r"src\s*=", r"@import", r"url\("]
    return [pattern for pattern in patterns if re.search(pattern, page, re.IGNORECASE)]


@pytest.mark.unit
def test_each_run_gets_a_self_contained_page_and_the_index_lists_the_runs(tmp_path, warehouse):
    reports = tmp_path / "reports"
    validator = QualityValidator(reports, keep_runs=5)
    outcomes = [validator.run(check, warehouse, "run-one") for check in CHECKS]
    _run(validator, warehouse, "run-two")

    assert [outcome.success for outcome in outcomes] == [True, False, False]
    page = run_report_page(reports, "run-one").read_text(encoding="utf-8")
    index = quality_report_index(reports).read_text(encoding="utf-8")
    assert "<style>" in page and "<style>" in index
    written = list(reports.rglob("*.html"))
    assert len(written) == 3
    assert {path.name: _external_references(path.read_text(encoding="utf-8"))
            for path in written} == {"index.html": []}
    # The run's id, a summary, and every check with what it guards and how many rows it read.
    assert "run-one" in page
    assert re.search(r">1 passed<.*>1 warned<.*>1 failed<", page)
    for check in CHECKS:
        assert check.name in page
    assert "blocks publishing" in page and "warns" in page and ">3</td>" in page
    # Failures name the expectation, the column, the count and (escaped) examples.
    assert "expect_column_values_to_match_regex</code> on <code>email</code>: 1 unexpected" \
           in page
    assert "&lt;script&gt;alert(&quot;owned&quot;)&lt;/script&gt;" in page
    assert HOSTILE not in page and "<b>" not in page
    # The index: newest run first, each linking its own page.
    assert index.index("run-two") < index.index("run-one")
    assert 'href="runs/run-one/index.html"' in index
    assert 'href="../../index.html"' in page
    # Each check's outcome is kept as JSON beside the page.
    record = json.loads((reports / "runs" / "run-one" / "checks" / "contacts_emails_valid.json")
                        .read_text(encoding="utf-8"))
    assert record["passed"] is False and record["blocking"] is True
    [failure] = record["failures"]
    assert failure["unexpected_count"] == 1 and failure["examples"] == [HOSTILE]
    assert not list(reports.rglob("*.tmp"))


@pytest.mark.unit
def test_only_the_newest_runs_are_kept_and_gx_keeps_no_results(tmp_path, warehouse):
    reports = tmp_path / "reports"
    # What earlier versions left: GX's file context with every result and a Data Docs site.
    legacy = reports / "gx" / "uncommitted"
    for leftover in ("validations/check/run/result.json", "data_docs/local_site/index.html"):
        (legacy / leftover).parent.mkdir(parents=True)
        (legacy / leftover).write_text("{}")
    keep = 2
    validator = QualityValidator(reports, keep_runs=keep)
    run_ids = [f"run-{number}" for number in range(keep + 2)]
    for run_id in run_ids:
        _run(validator, warehouse, run_id, CHECKS[:2])

    kept = sorted(folder.name for folder in (reports / "runs").iterdir())
    assert kept == run_ids[-keep:]
    index = quality_report_index(reports).read_text(encoding="utf-8")
    assert [run_id for run_id in run_ids if run_id in index] == run_ids[-keep:]
    # GX's result store is in memory and emptied after each check; nothing of it is on disk.
    assert validator.context.validation_results_store.list_keys() == []
    assert not (legacy / "validations").exists() and not (legacy / "data_docs").exists()
    outside_runs = [str(path.relative_to(reports)) for path in reports.rglob("*")
                    if path.is_file() and path.relative_to(reports).parts[0] != "runs"]
    assert outside_runs == ["index.html"]


@pytest.mark.unit
def test_the_index_reads_a_summary_per_run_and_makes_one_for_a_run_filed_without(
        tmp_path, warehouse):
    reports = tmp_path / "reports"
    validator = QualityValidator(reports, keep_runs=5)
    _run(validator, warehouse, "run-old")
    _run(validator, warehouse, "run-new", CHECKS[:1])
    summaries = {run: reports / "runs" / run / "summary.json" for run in ("run-old", "run-new")}
    assert json.loads(summaries["run-old"].read_text())["counts"] == {
        "failed": 1, "warned": 1, "passed": 1}
    # A run an earlier version filed has no summary: the index counts its records, once.
    summaries["run-old"].unlink()
    validator.run(CHECKS[1], warehouse, "run-new")
    index = quality_report_index(reports).read_text(encoding="utf-8")
    assert index.index("run-new") < index.index("run-old")
    assert re.search(r"run-old.*?>1 passed<.*?>1 warned<.*?>1 failed<", index, re.DOTALL)
    assert re.search(r"run-new.*?>1 passed<.*?>0 warned<.*?>1 failed<", index, re.DOTALL)
    assert json.loads(summaries["run-old"].read_text())["run_id"] == "run-old"
    # A summary that cannot be read is made again from the records, never shown half.
    summaries["run-old"].write_text("{not json")
    validator.run(CHECKS[0], warehouse, "run-new")
    assert "run-old" in quality_report_index(reports).read_text(encoding="utf-8")


@pytest.mark.unit
def test_the_number_of_runs_kept_comes_from_the_environment(tmp_path, warehouse, monkeypatch):
    monkeypatch.setenv("CDP_REPORTS_KEEP_RUNS", "1")
    validator = QualityValidator(tmp_path / "reports")
    for run_id in ("first", "second"):
        _run(validator, warehouse, run_id, CHECKS[:1])
    assert [folder.name for folder in (tmp_path / "reports" / "runs").iterdir()] == ["second"]


@pytest.mark.unit
def test_a_run_id_cannot_leave_the_reports_folder(tmp_path, warehouse):
    validator = QualityValidator(tmp_path / "reports")
    with pytest.raises(ValueError, match="file name"):
        validator.run(CHECKS[0], warehouse, "../elsewhere")


def test_the_dagster_check_files_its_run_and_links_the_run_page(tmp_path, warehouse):
    from dagster import asset, materialize

    from cdp.orchestration.quality.checks import _asset_check, _checks_by_name
    from cdp.orchestration.resources import CdpSettings

    # A real suite of the code location (it looks its check up by name), on a raw table with
    # a record missing its timestamp: a warning, not a blocker.
    with duckdb.connect(str(warehouse)) as connection:
        connection.execute("create schema raw_crm")
        connection.execute("create table raw_crm.contacts as select * from (values "
                           "(timestamp '2024-05-01 10:00:00'), (null)) as rows(create_date)")
    [check] = [check for check in _checks_by_name(Thresholds.from_settings()).values()
               if check.asset == ("crm", "contacts") and "create_date" in check.query]

    @asset(key=list(check.asset))
    def contacts() -> None:
        """Stands for the loaded table the check reads."""

    settings = CdpSettings(exports_dir=str(tmp_path), warehouse=str(warehouse),
                           published_warehouse=str(tmp_path / "published.duckdb"),
                           reports_dir=str(tmp_path / "reports"))
    result = materialize([contacts, _asset_check(check)], resources={"settings": settings})

    [evaluation] = result.get_asset_check_evaluations()
    assert not evaluation.passed
    page = run_report_page(tmp_path / "reports", result.run_id)
    assert evaluation.metadata["quality_report"].value == page.as_uri()
    text = page.read_text(encoding="utf-8")
    assert check.name in text and "1 warned" in text and "<code>null</code>" in text
