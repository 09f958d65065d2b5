"""Running the nightly job headless, in this process: what `cdp run` and `cdp demo` do.

The run is recorded in a persistent Dagster instance (DAGSTER_HOME, by default beside the
warehouse), so `dagster dev` started with the same DAGSTER_HOME shows it in its run history.
Everything Dagster, dbt and the libraries print goes to the run's log file; what the run did is
handed to an observer as it happens (the `cdp` command draws it) and summed up in the outcome,
read from the run's own events, never assumed.
"""

import contextlib
import json
import logging
import sys
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Protocol

from dagster import (
    AssetCheckEvaluation,
    AssetCheckSeverity,
    DagsterEvent,
    DagsterEventType,
    DagsterInstance,
    logger,
)
from dagster._core.definitions.repository_definition import SINGLETON_REPOSITORY_NAME
from dagster._core.instance.ref import InstanceRef
from dagster._core.log_manager import LOG_RECORD_METADATA_ATTR
from dagster._core.remote_origin import (
    ManagedGrpcPythonEnvCodeLocationOrigin,
    RemoteJobOrigin,
    RemoteRepositoryOrigin,
)
from dagster._core.types.loadable_target_origin import LoadableTargetOrigin

from cdp.core.output_capture import captured_output
from cdp.orchestration.definitions import build_definitions
from cdp.orchestration.publishing.assets import PUBLISHED_KEY
from cdp.orchestration.publishing.gate import root_cause
from cdp.orchestration.resources import CdpSettings
from cdp.orchestration.transformation.assets import FULL_REFRESH_TAG, RETRAIN_MATCHING_TAG
from cdp.settings import REPO_ROOT, current_settings, default_dagster_home

_INSTANCE_CONFIG_MARK = "# Written by cdp"
_INSTANCE_CONFIG = """\
# Written by cdp: the Dagster instance `cdp run` records its runs in. Start the UI on it with
# DAGSTER_HOME=<this folder> dagster dev (`cdp demo` writes that into .env for you).
# cdp rewrites this file while its first line is as above: delete that line to keep your edits.
telemetry:
  enabled: false
concurrency:
  runs:
    # One nightly run at a time: the warehouse has one writer.
    max_concurrent_runs: 1
# Dagster's SQLite event log, its connections kept open: cdp/orchestration/event_log_storage.py
event_log_storage:
  module: cdp.orchestration.event_log_storage
  class: PooledSqliteEventLogStorage
  config:
    base_dir: {event_logs}
"""
LOG_FILES_KEPT = 30
NIGHTLY_JOB = "cdp_nightly"
# pyproject.toml's [tool.dagster]: what `dagster dev` loads, and the location runs belong to.
CODE_LOCATION_MODULE, CODE_LOCATION_NAME = "cdp.orchestration.definitions", "cdp"


class RunObserver(Protocol):
    """Told what happens while a run goes on."""

    def dagster_event(self, event: DagsterEvent) -> None: ...

    def progress(self, record: logging.LogRecord) -> None: ...


@dataclass(frozen=True)
class SystemLoad:
    system: str
    rows_added: int
    rows_quarantined: int
    rows_total: int
    files_read: int
    files_set_aside: list[str]
    files_ignored: list[str]
    schema_warnings: list[str]


@dataclass
class PipelineOutcome:
    run_id: str
    success: bool  # every step and check passed and the marts were published
    published: bool
    loads: list[SystemLoad] = field(default_factory=list)
    models_built: int = 0
    evaluations: list[AssetCheckEvaluation] = field(default_factory=list)
    failures: list[str] = field(default_factory=list)  # "<step>: <root cause>", in run order
    published_metadata: dict = field(default_factory=dict)
    log_file: Path | None = None

    @property
    def failed_checks(self) -> list[AssetCheckEvaluation]:
        return [check for check in self.evaluations
                if not check.passed and check.severity == AssetCheckSeverity.ERROR]

    @property
    def warnings(self) -> list[AssetCheckEvaluation]:
        return [check for check in self.evaluations
                if not check.passed and check.severity == AssetCheckSeverity.WARN]

    @property
    def files_set_aside(self) -> list[str]:
        return [file for load in self.loads for file in load.files_set_aside]

    def cause(self) -> str | None:
        """Why nothing was published, in one line; None when it was."""
        if self.published:
            return None
        for check in self.failed_checks:
            return (f"check {check.asset_key.to_user_string()} / {check.check_name} failed: "
                    f"{check.description or ''}").rstrip(": ")
        return self.failures[0] if self.failures else "the run did not publish"

    def failure_report(self) -> str:
        """Every failure and failed blocking check, a line each."""
        lines = [*self.failures]
        lines += [
            f"blocking check failed: {check.asset_key.to_user_string()} / {check.check_name}: "
            f"{check.description or ''}"
            for check in self.failed_checks
        ]
        return "\n".join(lines)


def instance_for(settings: CdpSettings) -> DagsterInstance:
    """The persistent instance runs are recorded in: DAGSTER_HOME, else beside the warehouse."""
    home = current_settings().paths.dagster_home or default_dagster_home(Path(settings.warehouse))
    home.mkdir(parents=True, exist_ok=True)
    config = home / "dagster.yaml"
    # A JSON string is a YAML one, whatever the path holds.
    wanted = _INSTANCE_CONFIG.format(
        event_logs=json.dumps(str((home / "history" / "runs").resolve())))
    # Written again when cdp wrote it: an earlier version's, or the folder was moved.
    if not config.exists() or (config.read_text().startswith(_INSTANCE_CONFIG_MARK)
                               and config.read_text() != wanted):
        config.write_text(wanted)
    return DagsterInstance.from_ref(InstanceRef.from_dir(str(home)))


def run_pipeline(settings: CdpSettings, instance: DagsterInstance | None = None,
                 observer: RunObserver | None = None, log_file: Path | None = None,
                 tags: dict[str, str] | None = None,
                 full_refresh: bool = False, retrain_matching: bool = False) -> PipelineOutcome:
    """Load, model, check and publish once; never raises for a failed step or check.
    `full_refresh`: every model rebuilt from all of history (FULL_REFRESH_TAG);
    `retrain_matching`: the probabilistic model trained again (RETRAIN_MATCHING_TAG)."""
    log_file = log_file or new_log_file(settings)
    with captured_output(log_file) as file_handler:
        job = build_definitions(settings).resolve_job_def(NIGHTLY_JOB).with_logger_defs(
            {"cdp": _run_logger(file_handler, observer)})
        owned = instance is None
        dagster = instance or instance_for(settings)
        try:
            with _runs_recorded_under_the_code_location(dagster):
                result = job.execute_in_process(
                    instance=dagster,
                    raise_on_error=False,
                    run_config={"loggers": {"cdp": {}}},
                    tags={"cdp/launched_by": "cdp run",
                          **({FULL_REFRESH_TAG: "true"} if full_refresh else {}),
                          **({RETRAIN_MATCHING_TAG: "true"} if retrain_matching else {}),
                          **(tags or {})},
                )
        finally:
            if owned:
                dagster.dispose()
    return _outcome(result, log_file)


def code_location_origin() -> RemoteJobOrigin:
    """The nightly job as `dagster dev` knows it: pyproject.toml's `[tool.dagster]` module in
    code location `cdp`. A run carrying it is listed on the job's page and the Overview
    timeline, which find runs by their repository; an in-process run carries none."""
    location = ManagedGrpcPythonEnvCodeLocationOrigin(
        loadable_target_origin=LoadableTargetOrigin(
            executable_path=sys.executable, module_name=CODE_LOCATION_MODULE,
            working_directory=str(REPO_ROOT)),
        location_name=CODE_LOCATION_NAME)
    repository = RemoteRepositoryOrigin(code_location_origin=location,
                                        repository_name=SINGLETON_REPOSITORY_NAME)
    return RemoteJobOrigin(repository_origin=repository, job_name=NIGHTLY_JOB)


@contextlib.contextmanager
def _runs_recorded_under_the_code_location(instance: DagsterInstance) -> Iterator[None]:
    """`execute_in_process` offers no way to give the run an origin: the instance's
    `create_run_for_job` is wrapped, for this block, to add it."""
    create_run_for_job = instance.create_run_for_job

    def with_origin(*args, **kwargs):
        kwargs.setdefault("remote_job_origin", code_location_origin())
        return create_run_for_job(*args, **kwargs)

    instance.create_run_for_job = with_origin
    try:
        yield
    finally:
        del instance.create_run_for_job


def new_log_file(settings: CdpSettings) -> Path:
    """A fresh log file for a run under the logs folder; the oldest beyond 30 are deleted."""
    folder = settings.logs_dir
    folder.mkdir(parents=True, exist_ok=True)
    for old in sorted(folder.glob("run-*.log"))[:-LOG_FILES_KEPT]:
        old.unlink(missing_ok=True)
    return folder / f"run-{datetime.now(UTC):%Y%m%dT%H%M%S%fZ}.log"


def _run_logger(file_handler: logging.Handler, observer: RunObserver | None):
    """A Dagster logger writing the run's log to the file and its events to the observer."""

    class _Forward(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            meta = getattr(record, LOG_RECORD_METADATA_ATTR, None) or {}
            if observer and meta.get("dagster_event") is not None:
                observer.dagster_event(meta["dagster_event"])

    class _Progress(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            if observer:
                observer.progress(record)

    progress_handler = _Progress()
    for name in ("cdp.ingestion", "cdp.transformation"):
        progress = logging.getLogger(name)
        progress.handlers = [progress_handler]
        progress.setLevel(logging.INFO)

    @logger(description="cdp run: the log file, and what happens for the screen")
    def cdp_logger(_):
        run_log = logging.getLogger("cdp.run")
        run_log.handlers = [file_handler, _Forward()]
        run_log.setLevel(logging.DEBUG)
        run_log.propagate = False
        return run_log

    return cdp_logger


def is_failed_check(event: DagsterEvent) -> bool:
    """A blocking check's step fails when the check fails: the check itself says why."""
    error = event.event_specific_data.error
    return error is not None and error.cls_name == "DagsterAssetCheckFailedError"


def _outcome(result, log_file: Path) -> PipelineOutcome:
    events = result.all_events
    materializations = {event.asset_key: event for event in events
                        if event.event_type == DagsterEventType.ASSET_MATERIALIZATION}
    published = PUBLISHED_KEY in materializations
    outcome = PipelineOutcome(
        run_id=result.run_id,
        success=False,
        published=published,
        evaluations=result.get_asset_check_evaluations(),
        log_file=log_file,
    )
    outcome.failures = [
        f"{event.step_key}: {root_cause(event.event_specific_data.error)}"
        for event in events
        if (event.is_step_failure and not is_failed_check(event))
        # A resource that cannot start (the warehouse locked by another run) fails the run
        # before any step does.
        or event.event_type == DagsterEventType.RESOURCE_INIT_FAILURE
    ]
    for key, event in materializations.items():
        metadata = {name: value.value for name, value in
                    event.event_specific_data.materialization.metadata.items()}
        if key == PUBLISHED_KEY:
            outcome.published_metadata = metadata
        elif "rows_added" in metadata:
            outcome.loads.append(SystemLoad(
                system=key.path[0],
                rows_added=metadata["rows_added"],
                rows_quarantined=metadata["rows_quarantined"],
                rows_total=metadata.get("dagster/row_count", 0),
                files_read=len(metadata.get("files", [])),
                files_set_aside=metadata.get("files_set_aside", []),
                files_ignored=metadata.get("files_ignored", []),
                schema_warnings=metadata.get("schema_warnings", []),
            ))
        elif key.path[0] in ("staging", "intermediate", "marts"):
            outcome.models_built += 1
    outcome.success = (result.success and published and not outcome.failures
                       and not outcome.failed_checks)
    return outcome
