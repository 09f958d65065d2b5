"""What `cdp run` and `cdp demo` show while the night runs: one line per stage, with counts and
times, progress bars on a terminal, plain lines elsewhere (cron mails, CI logs)."""

import logging
import time
from dataclasses import dataclass, field
from pathlib import Path

from dagster import AssetCheckSeverity, DagsterEvent, DagsterEventType
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from cdp.orchestration.publishing.gate import root_cause
from cdp.orchestration.runner import PipelineOutcome, is_failed_check

_LOAD_STEP = "load_{}_exports"
_DBT_STEP = "dbt_build"
_PRIVACY_STEP = "privacy__retention"
_PUBLISH_STEP = "published__warehouse"
_DELIVERY_STEP_PREFIX = "activation__"


def _count(number: int, noun: str) -> str:
    return f"{number:,} {noun}{'' if number == 1 else 's'}"


@dataclass
class _Checks:
    passed: int = 0
    warned: int = 0
    failed: int = 0
    errored: int = 0  # a check step that raised instead of evaluating: it blocks as a failure
    started: float | None = None
    seconds: float = 0.0


@dataclass
class RunDisplay:
    """A RunObserver drawing on `console`. `quiet`: only the outcome; `verbose`: every log
    line too."""

    console: Console
    quiet: bool = False
    verbose: bool = False
    _started: dict[str, float] = field(default_factory=dict)
    _metadata: dict[str, dict] = field(default_factory=dict)
    _checks: _Checks = field(default_factory=_Checks)
    _progress: Progress | None = None
    _task: object | None = None
    _models_built: int = 0
    _full_refresh: str | None = None  # why the models were all rebuilt, when they were
    _checks_shown: int = 0

    @property
    def _live(self) -> bool:
        return self.console.is_terminal and not self.quiet and not self.verbose

    def line(self, text: str, style: str | None = None) -> None:
        if not self.quiet:
            self.console.print(text, style=style, highlight=False, soft_wrap=True)

    # --- RunObserver -------------------------------------------------------------------------

    def dagster_event(self, event: DagsterEvent) -> None:
        step = event.step_key or ""
        kind = event.event_type
        if kind == DagsterEventType.STEP_START:
            self._started[step] = time.monotonic()
            if step == _DBT_STEP:
                self._start_bar("dbt models and tests")
        elif kind == DagsterEventType.ASSET_MATERIALIZATION:
            metadata = {name: value.value for name, value in
                        event.event_specific_data.materialization.metadata.items()}
            # A load step materializes its export's table and its deletion lists' table.
            self._metadata.setdefault(step, {}).update(metadata)
        elif kind == DagsterEventType.ASSET_CHECK_EVALUATION:
            evaluation = event.event_specific_data
            if self._checks.started is None:
                self._checks.started = time.monotonic()
            if evaluation.passed:
                self._checks.passed += 1
            elif evaluation.severity == AssetCheckSeverity.WARN:
                self._checks.warned += 1
            else:
                self._checks.failed += 1
        elif kind == DagsterEventType.RESOURCE_INIT_FAILURE:
            self.line(f"✗ {step}: {root_cause(event.event_specific_data.error)}", "red")
        elif kind in (DagsterEventType.STEP_SUCCESS, DagsterEventType.STEP_FAILURE):
            self._stop_bar()
            failed = kind == DagsterEventType.STEP_FAILURE
            if failed and is_failed_check(event):
                return  # the check's own line says why
            seconds = time.monotonic() - self._started.get(step, time.monotonic())
            cause = root_cause(event.event_specific_data.error) if failed else ""
            self._step_done(step, seconds, cause)

    def progress(self, record: logging.LogRecord) -> None:
        if self.verbose:
            self.console.print(f"  {record.getMessage()}", style="dim", highlight=False)
        self._models_built = getattr(record, "models_done", None) or self._models_built
        self._full_refresh = getattr(record, "full_refresh", None) or self._full_refresh
        if self._progress is None and getattr(record, "files_total", None) and self._live:
            self._start_bar(f"loading {record.system}")
        if self._progress is not None and self._task is not None:
            done = getattr(record, "nodes_done", None) or getattr(record, "files_done", None)
            total = getattr(record, "nodes_total", None) or getattr(record, "files_total", None)
            if total:
                self._progress.update(self._task, completed=done, total=total)

    # --- stages ------------------------------------------------------------------------------

    def _step_done(self, step: str, seconds: float, cause: str) -> None:
        mark, style = ("✗", "red") if cause else ("✓", None)
        system = step.removeprefix("load_").removesuffix("_exports")
        if step == _LOAD_STEP.format(system):  # a source's load, whichever sources are enabled
            metadata = self._metadata.get(step, {})
            detail = cause or (
                f"{_count(len(metadata.get('files', [])), 'file')} read · "
                f"{metadata.get('rows_added', 0):,} rows added · "
                f"{metadata.get('rows_quarantined', 0):,} set aside")
            if metadata.get("deletions_added"):
                detail += f" · {_count(metadata['deletions_added'], 'deletion')}"
            if metadata.get("files_set_aside"):
                detail += f" · {_count(len(metadata['files_set_aside']), 'file')} set aside"
                mark, style = "!", "yellow"
            self.line(f"{mark} load {system:<8} {detail}  ({seconds:.1f} s)", style)
            return
        if step == _PRIVACY_STEP:
            finished = self._metadata.get(step, {}).get("interrupted_requests_finished") or []
            if cause or finished:
                self.line(f"{mark} privacy       " + (cause or (
                    f"finished the interrupted request{'s' if len(finished) > 1 else ''} "
                    f"{', '.join(finished)}")), style)
            return
        if step == _DBT_STEP:
            detail = cause or f"{_count(self._models_built, 'model')} built, dbt tests run"
            if self._full_refresh and not cause:
                detail += f" · full refresh: {self._full_refresh}"
            self.line(f"{mark} models        {detail}  ({seconds:.1f} s)", style)
        elif step == _PUBLISH_STEP:
            self._checks_line()
            if not cause:
                metadata = self._metadata.get(step, {})
                self.line(f"✓ published     version {metadata.get('version', '?')} · "
                          f"{metadata.get('customers', 0):,} customers · "
                          f"{metadata.get('orders', 0):,} orders  ({seconds:.1f} s)")
        elif step.startswith(_DELIVERY_STEP_PREFIX):
            self._delivery_line(step.removeprefix(_DELIVERY_STEP_PREFIX), seconds, cause)
        elif cause:  # a check step that errored
            self._checks.errored += 1
            self.line(f"✗ {step}: {cause}", "red")

    def _delivery_line(self, destination: str, seconds: float, cause: str) -> None:
        """A destination no audience names, with nothing owed to it, goes unmentioned."""
        metadata = self._metadata.get(f"{_DELIVERY_STEP_PREFIX}{destination}", {})
        if not cause and not metadata.get("audiences") and not metadata.get("removed"):
            return
        detail = cause or (
            f"{_count(metadata.get('audiences', 0), 'audience')} · "
            f"{metadata.get('members', 0):,} members · {metadata.get('added', 0):,} added · "
            f"{metadata.get('removed', 0):,} removed")
        # Addresses the email tools say may not get marketing, left out of email audiences.
        held_back = [f"{metadata[f'excluded_{reason}']:,} {reason}"
                     for reason in ("unsubscribed", "complained", "bounced")
                     if metadata.get(f"excluded_{reason}")]
        if held_back and not cause:
            detail += f" · not sent: {', '.join(held_back)}"
        if metadata.get("notes") and not cause:  # the destination's own ("3 blocked")
            detail += f" · {metadata['notes']}"
        mark, style = ("✗", "red") if cause else ("✓", None)
        self.line(f"{mark} deliver {destination:<10} {detail}  ({seconds:.1f} s)", style)

    def _checks_line(self) -> None:
        """The checks evaluated since the last such line: those before publishing, then the
        destinations' after it, the last line with the run's total (Dagster's count, and the
        quality report's)."""
        checks = self._checks
        count = checks.passed + checks.warned + checks.failed + checks.errored
        if count == 0:
            return
        broken = checks.failed + checks.errored
        mark, style = ("✓", None) if not broken else ("✗", "red")
        if checks.warned and not broken:
            mark, style = "!", "yellow"
        earlier = self._checks_shown
        self._checks_shown += count
        total = f"  ({self._checks_shown:,} in all)" if earlier else ""
        errored = f" · {checks.errored:,} errored" if checks.errored else ""
        self.line(f"{mark} checks        {checks.passed:,} passed · {checks.warned:,} warned · "
                  f"{checks.failed:,} failed{errored}{total}", style)
        checks.passed = checks.warned = checks.failed = checks.errored = 0  # printed once

    def _start_bar(self, label: str) -> None:
        if not self._live:
            return
        self._stop_bar()
        # Not redirecting stdout and stderr: by default a live bar catches what is printed
        # while it shows and draws it above itself, which on a terminal put dbt's and
        # Splink's output (meant for the log file) on the screen.
        self._progress = Progress(TextColumn(f"  {label}"), BarColumn(), MofNCompleteColumn(),
                                  TimeElapsedColumn(), console=self.console, transient=True,
                                  redirect_stdout=False, redirect_stderr=False)
        self._progress.start()
        self._task = self._progress.add_task(label, total=None)

    def _stop_bar(self) -> None:
        if self._progress is not None:
            self._progress.stop()
            self._progress, self._task = None, None

    # --- after the run -----------------------------------------------------------------------

    def outcome(self, outcome: PipelineOutcome, published_path: Path) -> None:
        """Everything worth acting on, then one last line that says what happened."""
        self._stop_bar()
        self._checks_line()
        for check in outcome.warnings:
            self.line(f"  warning: {check.asset_key.to_user_string()} / {check.check_name}: "
                      f"{check.description or ''}", "yellow")
        for load in outcome.loads:
            for file in load.files_set_aside:
                self.line(f"  set aside: {file}", "yellow")
            for warning in load.schema_warnings:
                self.line(f"  columns: {warning}", "yellow")
            for file in load.files_ignored:
                self.line(f"  ignored: {file}", "dim")
        drift = outcome.published_metadata.get("full_refresh_differences")
        if drift == {}:
            self.line("  full refresh: every mart identical to the version it replaces", "dim")
        elif drift:
            differing = ", ".join(f"marts.{name} ({rebuilt} rows only rebuilt, {published} only "
                                  "published)" for name, (rebuilt, published) in drift.items())
            self.line(f"  warning: the full refresh differs from the version it replaces in "
                      f"{differing}", "yellow")
        if outcome.log_file:
            self.line(f"  log: {outcome.log_file}", "dim")
        self.console.print(self.last_line(outcome, published_path), highlight=False,
                           style=None if outcome.published else "bold red", soft_wrap=True)

    @staticmethod
    def last_line(outcome: PipelineOutcome, published_path: Path) -> str:
        if not outcome.published:
            return f"Not published: {outcome.cause()}. The previous version stays in place."
        metadata = outcome.published_metadata
        rows = metadata.get("rows_per_table", {})
        counts = ", ".join(f"{rows[name]:,} {name}" for name in ("customers", "orders")
                           if name in rows)
        aside = outcome.files_set_aside
        attention = f"; {_count(len(aside), 'file')} set aside (see above)" if aside else ""
        return f"Published version {metadata.get('version')} ({counts}) to {published_path}" \
               f"{attention}."
