"""Running checks with Great Expectations, and filing each outcome in the quality report.

The report replaces GX's Data Docs, which load their CSS and scripts from a CDN (a blank page
offline) and grow by a page per check every run. Under `reports_dir`:

    index.html                              the kept runs, newest first
    runs/<run_id>/index.html                one run's checks
    runs/<run_id>/checks/<check>.json       one check's outcome, written as it finishes

GX itself runs on an in-memory context: suites are rebuilt from code for every check, and the
results it stores are dropped once read, so nothing of GX's grows on disk or in memory.
"""

import contextlib
import json
import os
import re
import shutil
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import duckdb
import great_expectations as gx
import numpy as np
import pandas as pd
import pyarrow as pa
from great_expectations.data_context.types.base import ProgressBarsConfig

from cdp.quality.check import QualityCheck
from cdp.quality.report import (
    CheckRecord,
    FailedExpectation,
    RunReport,
    RunSummary,
    index_page,
    run_page,
)
from cdp.settings import current_settings

EXAMPLES_SHOWN = 5
EXAMPLE_CHARACTERS = 200  # a longer offending value is cut in the report
_SUMMARY = "summary.json"  # beside a run's page: what the index shows of it
_RECORDS_REMEMBERED = 5000  # a run's checks, many times over


def runs_to_keep() -> int:
    """How many runs' reports stay under `<reports_dir>/runs/`; older ones are deleted."""
    return current_settings().quality.reports_keep_runs  # at least 1: the settings check it


@dataclass(frozen=True)
class Failure:
    expectation: str
    column: str | list[str] | None
    unexpected_count: int | None
    examples: list = field(default_factory=list)

    def __str__(self) -> str:
        where = f"({self.column})" if self.column else ""
        count = f": {self.unexpected_count} offending rows" if self.unexpected_count else ""
        examples = f", e.g. {self.examples}" if self.examples else ""
        return f"{self.expectation}{where}{count}{examples}"


@dataclass(frozen=True)
class CheckOutcome:
    check: QualityCheck
    success: bool
    rows_checked: int
    failures: list[Failure]

    def summary(self) -> str:
        if self.success:
            return f"{self.check.name}: passed on {self.rows_checked:,} rows"
        # What the check guards, in its own words (its description's first clause), then what
        # was found: the line a person reads when publishing stops.
        guards = self.check.description.split(": ")[0].split(". ")[0].rstrip(".")
        return f"{guards} — " + "; ".join(str(f) for f in self.failures)


def quality_report_index(reports_dir: Path) -> Path:
    """Where the quality report of a reports folder starts: its list of runs."""
    return reports_dir / "index.html"


# The name orchestration (settings, CLI, publishing metadata) links the report by.
data_docs_index = quality_report_index


def run_report_page(reports_dir: Path, run_id: str) -> Path:
    """The page of one run's checks."""
    return reports_dir / "runs" / _file_name(run_id) / "index.html"


class QualityValidator:
    """Validates checks with GX and files every outcome in the report under `reports_dir`."""

    def __init__(self, reports_dir: Path, keep_runs: int | None = None) -> None:
        self.context = gx.get_context(mode="ephemeral")
        self.context.variables.progress_bars = ProgressBarsConfig(globally=False)
        self.datasource = self.context.data_sources.add_or_update_pandas("cdp_warehouse")
        self.reports = ReportFolder(reports_dir, keep_runs)
        _remove_data_docs(reports_dir)

    def run(self, check: QualityCheck, warehouse: Path, run_id: str,
            published_row_counts: dict[str, int] | None = None) -> CheckOutcome:
        """Read the check's rows from the warehouse (read-only), validate them, and add the
        outcome to run `run_id`'s report. A check's query may read `published_row_counts`
        (relation, row_count): the rows of each table in the version BI tools read now."""
        counts = published_row_counts or {}
        with duckdb.connect(str(warehouse), read_only=True) as connection:
            connection.register("published_row_counts", pa.table({
                "relation": pa.array(list(counts), pa.string()),
                "row_count": pa.array(list(counts.values()), pa.int64()),
            }))
            frame = connection.execute(check.query).df()
        outcome = self.validate(check, frame)
        self.reports.add(run_id, _record(outcome, datetime.now(UTC)))
        return outcome

    def validate(self, check: QualityCheck, frame: pd.DataFrame) -> CheckOutcome:
        try:
            asset = self.datasource.get_asset(check.name)
        except LookupError:
            asset = self.datasource.add_dataframe_asset(check.name)
        try:
            batch = asset.get_batch_definition("whole_table")
        except KeyError:
            batch = asset.add_batch_definition_whole_dataframe("whole_table")
        suite = self.context.suites.add_or_update(
            gx.ExpectationSuite(name=check.name, expectations=check.expectations())
        )
        definition = self.context.validation_definitions.add_or_update(
            gx.ValidationDefinition(name=check.name, data=batch, suite=suite)
        )
        checkpoint = self.context.checkpoints.add_or_update(
            gx.Checkpoint(name=check.name, validation_definitions=[definition])
        )
        result = checkpoint.run(batch_parameters={"dataframe": frame})
        # A validation definition always stores its result; the report keeps what we need.
        for key in result.run_results:
            self.context.validation_results_store.remove_key(key)
        [validation] = result.run_results.values()
        failures = [
            Failure(
                expectation=item.expectation_config.type,
                column=_columns(item.expectation_config.kwargs),
                unexpected_count=item.result.get("unexpected_count"),
                examples=_examples(check, frame, item.result),
            )
            for item in validation.results
            if not item.success
        ]
        return CheckOutcome(check, result.success, len(frame), failures)


def _examples(check: QualityCheck, frame: pd.DataFrame, result: dict) -> list:
    """A few offending rows: named by the check's record columns and the value found when it
    has them (`source=pos, record_id=#1042: 0`), else the offending values."""
    values = list(result.get("partial_unexpected_list") or [])[:EXAMPLES_SHOWN]
    rows = list(result.get("partial_unexpected_index_list") or [])[:EXAMPLES_SHOWN]
    if not check.record_columns or not rows:
        return [_python(value) for value in values]
    named = []
    for position, row in enumerate(rows):
        if row not in frame.index:
            continue
        record = ", ".join(f"{column}={_python(frame.at[row, column])}"
                           for column in check.record_columns)
        value = f": {_python(values[position])}" if position < len(values) else ""
        named.append(f"{record}{value}")
    return named or [_python(value) for value in values]


class ReportFolder:
    """The report under `reports_dir`: a JSON file per check of a run, re-rendered to the run's
    page and the index after each one; a run's first check deletes all but the newest
    `keep_runs` runs (by default `runs_to_keep()`, read then)."""

    def __init__(self, reports_dir: Path, keep_runs: int | None = None) -> None:
        self.reports_dir = reports_dir
        self.runs_dir = reports_dir / "runs"
        if keep_runs is not None and keep_runs < 1:
            raise ValueError(f"keep at least one run's report, not {keep_runs}")
        self.keep_runs = keep_runs

    def add(self, run_id: str, record: CheckRecord, section: str | None = None,
            attachments: dict[str, str] | None = None) -> Path:
        """File one check's outcome — with, optionally, a section of the run's page (HTML our
        code rendered) and files beside the page it links (`attachments`, name to text);
        returns the run's page."""
        run_dir = self.runs_dir / _file_name(run_id)
        checks_dir = run_dir / "checks"
        first_check = not checks_dir.exists()
        checks_dir.mkdir(parents=True, exist_ok=True)
        for name, text in (attachments or {}).items():
            _write_atomically(run_dir / _file_name(name), text)
        if section is not None:
            (run_dir / "sections").mkdir(exist_ok=True)
            _write_atomically(run_dir / "sections" / f"{_file_name(record.name)}.html", section)
        _write_atomically(checks_dir / f"{_file_name(record.name)}.json",
                          json.dumps(record.to_json(), indent=2, ensure_ascii=False))
        if first_check:
            keep = runs_to_keep() if self.keep_runs is None else self.keep_runs
            self._prune(keep, current=run_dir)
        # This run's page from its own records; the index from each kept run's summary, so a
        # check costs the same on the thirtieth night as on the first.
        run = RunReport(run_dir.name, _records(run_dir), _sections(run_dir))
        _write_atomically(run_dir / "index.html", run_page(run))
        _write_atomically(run_dir / _SUMMARY, json.dumps(run.summary().to_json()))
        summaries = [summary for folder in self._run_folders() if folder != run_dir
                     for summary in [_summary_of(folder)] if summary]
        _write_atomically(quality_report_index(self.reports_dir),
                          index_page([*summaries, run.summary()]))
        return run_dir / "index.html"

    def add_many(self, run_id: str, records: list[CheckRecord]) -> Path | None:
        """File several outcomes at once (dbt's tests, a destination's check), rendering the
        run's page once."""
        if not records:
            return None
        checks_dir = self.runs_dir / _file_name(run_id) / "checks"
        if not checks_dir.exists():  # the run's first: pruning old runs happens in add()
            self.add(run_id, records[0])
            records = records[1:] or records
        for record in records[:-1]:
            _write_atomically(checks_dir / f"{_file_name(record.name)}.json",
                              json.dumps(record.to_json(), indent=2, ensure_ascii=False))
        return self.add(run_id, records[-1])

    def _run_folders(self) -> list[Path]:
        folders = sorted(self.runs_dir.iterdir()) if self.runs_dir.is_dir() else []
        return [folder for folder in folders if folder.is_dir()]

    def _prune(self, keep: int, current: Path) -> None:
        """Delete all but the newest `keep` run folders; `current` always stays."""
        folders = [folder for folder in self._run_folders() if folder != current]
        folders.sort(key=_started_at, reverse=True)
        for folder in folders[keep - 1:]:
            # Another process may be deleting it too; what is left goes next time.
            shutil.rmtree(folder, ignore_errors=True)


# Records read before, by file and its (size, modification time): a run's page is rendered
# again after each of its checks, from all of that run's records so far.
_records_read: dict[Path, tuple[tuple[int, int], CheckRecord]] = {}


def _records(run_dir: Path) -> tuple[CheckRecord, ...]:
    records = []
    for path in sorted((run_dir / "checks").glob("*.json")):
        try:
            stat = path.stat()
            version = (stat.st_size, stat.st_mtime_ns)
            known = _records_read.get(path)
            if known and known[0] == version:
                records.append(known[1])
                continue
            record = CheckRecord.from_json(json.loads(path.read_text(encoding="utf-8")))
        except (OSError, ValueError, KeyError, TypeError):
            continue  # pruned meanwhile, or not a record: the report shows the rest
        if len(_records_read) > _RECORDS_REMEMBERED:
            _records_read.clear()
        _records_read[path] = (version, record)
        records.append(record)
    return tuple(records)


def _sections(run_dir: Path) -> tuple[str, ...]:
    sections = []
    for path in sorted((run_dir / "sections").glob("*.html")):
        try:
            sections.append(path.read_text(encoding="utf-8"))
        except OSError:
            continue  # pruned meanwhile
    return tuple(sections)


def _summary_of(run_dir: Path) -> RunSummary | None:
    """A run's summary; for a run filed before summaries were, made from its records. None
    for a folder without a readable record."""
    try:
        return RunSummary.from_json(json.loads((run_dir / _SUMMARY).read_text(encoding="utf-8")))
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        records = _records(run_dir)
        if not records:
            return None
        summary = RunReport(run_dir.name, records).summary()
        with contextlib.suppress(OSError):  # pruned meanwhile
            _write_atomically(run_dir / _SUMMARY, json.dumps(summary.to_json()))
        return summary


def _started_at(run_dir: Path) -> float:
    """When a run's first check was recorded; a folder without records, when it last changed."""
    summary = _summary_of(run_dir)
    if summary:
        return summary.started_at.timestamp()
    try:
        return run_dir.stat().st_mtime
    except OSError:
        return 0.0


def _record(outcome: CheckOutcome, checked_at: datetime) -> CheckRecord:
    check = outcome.check
    return CheckRecord(
        name=check.name,
        asset="/".join(check.asset),
        description=check.description,
        blocking=check.blocking,
        passed=outcome.success,
        rows_checked=outcome.rows_checked,
        checked_at=checked_at,
        failures=tuple(
            FailedExpectation(
                expectation=failure.expectation,
                column=(", ".join(failure.column) if isinstance(failure.column, list)
                        else failure.column),
                unexpected_count=(None if failure.unexpected_count is None
                                  else int(failure.unexpected_count)),
                examples=tuple(_example_text(value) for value in failure.examples),
            )
            for failure in outcome.failures
        ),
    )


def _columns(kwargs: dict) -> str | list[str] | None:
    """The column(s) an expectation is on: one, a list, or a pair (A, B)."""
    if kwargs.get("column_A"):
        return [kwargs["column_A"], kwargs["column_B"]]
    return kwargs.get("column") or kwargs.get("column_list")


def _python(value: object) -> object:
    """An example as plain Python (numpy scalars in tuples read as numbers, not reprs)."""
    if isinstance(value, tuple | list):
        return type(value)(_python(item) for item in value)
    return value.item() if hasattr(value, "item") and not isinstance(value, str) else value


def _example_text(value: object) -> str:
    """An offending value as text, cut short: a string as it is (JSON-quoted if blank, so it
    stays visible), anything else as JSON."""
    if isinstance(value, str) and value.strip():
        text = value
    elif pd.api.types.is_scalar(value) and pd.isna(value):
        text = "null"  # a NULL reaches GX as None, NaN or NaT
    else:
        text = json.dumps(value, ensure_ascii=False, default=_plain)
    return text if len(text) <= EXAMPLE_CHARACTERS else text[:EXAMPLE_CHARACTERS - 1] + "…"


def _plain(value: object) -> object:
    return value.item() if isinstance(value, np.generic) else str(value)


def _file_name(name: str) -> str:
    """`name` as one path component: run ids and check names never leave their folder."""
    if not re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9_.-]*", name):
        raise ValueError(f"not usable as a file name in the quality report: {name!r}")
    return name


def _write_atomically(path: Path, text: str) -> None:
    """Write beside `path`, then rename over it: a reader or a killed process never sees half
    a file."""
    temporary = path.with_name(f".{path.name}.{uuid.uuid4().hex}.tmp")
    try:
        with temporary.open("x", encoding="utf-8") as file:
            file.write(text)
            file.flush()
            os.fsync(file.fileno())
        os.replace(temporary, path)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise


def _remove_data_docs(reports_dir: Path) -> None:
    """Earlier versions ran GX on a file context under `reports_dir/gx`, keeping every
    validation result and a Data Docs page per check and run; delete what they left."""
    uncommitted = reports_dir / "gx" / "uncommitted"
    for folder in ("validations", "data_docs"):
        shutil.rmtree(uncommitted / folder, ignore_errors=True)
