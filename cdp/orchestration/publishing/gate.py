"""Whether this run may publish: read from the run's own event log, never assumed.

Dagster stops the steps downstream of a *failed* blocking check, but a check that *errors*, a
non-blocking check that has not run yet, or a failed step elsewhere in the run do not stop a
downstream step by themselves. Publishing asks the run instead: every step that ran succeeded,
every check the run planned was evaluated and none failed at error severity, and the marts
being published were built in this run.
"""

import re

from dagster import (
    AssetCheckSeverity,
    AssetKey,
    DagsterEventType,
    DagsterInstance,
)
from dagster._utils.error import SerializableErrorInfo

from cdp.core.failures import machine_cause


def root_cause(error: SerializableErrorInfo | None) -> str:
    """The innermost cause of a step's error, on one line ("Read-only file system: /data")."""
    if error is None:
        return "unknown error"
    while error.cause is not None:
        error = error.cause
    lines = [line.strip() for line in (error.message or "").strip().splitlines() if line.strip()]
    message = lines[0] if lines else error.cls_name or "unknown error"
    # Messages often repeat the class, module-qualified ("_duckdb.IOException: IO Error: ..."):
    # keep the message, without either prefix.
    message = re.sub(r"^([\w.]+\.)?" + re.escape(error.cls_name or "") + r": ", "", message)
    machine = machine_cause(" ".join(lines) or message)
    if machine:  # the caller says what became of publishing
        return machine.removeprefix("error: ").split(" Nothing was published")[0]
    if error.cls_name in ("Failure", "DagsterExecutionStepExecutionError", "OSError", None) \
            or message.startswith(error.cls_name or ""):
        return message
    return f"{error.cls_name}: {message}"


# Assets that run after the publish (the audience deliveries): their checks are evaluated
# after it, and are not the publish's to wait for.
AFTER_PUBLISH_GROUPS = ("activation",)


def publish_blockers(instance: DagsterInstance, run_id: str,
                     required_assets: list[AssetKey]) -> list[str]:
    """Why this run must not publish, most telling first; empty when it may."""
    records = instance.all_logs(run_id, of_type={
        DagsterEventType.STEP_FAILURE,
        DagsterEventType.STEP_SKIPPED,
        DagsterEventType.ASSET_CHECK_EVALUATION_PLANNED,
        DagsterEventType.ASSET_CHECK_EVALUATION,
        DagsterEventType.ASSET_MATERIALIZATION,
    })
    blockers, planned, evaluated, built = [], set(), set(), set()
    for record in records:
        event = record.dagster_event
        if event.event_type == DagsterEventType.STEP_FAILURE:
            blockers.append(f"step {event.step_key} failed: "
                            f"{root_cause(event.event_specific_data.error)}")
        elif event.event_type == DagsterEventType.STEP_SKIPPED:
            blockers.append(f"step {event.step_key} was skipped")
        elif event.event_type == DagsterEventType.ASSET_CHECK_EVALUATION_PLANNED:
            key = event.event_specific_data.asset_check_key
            if key.asset_key.path[0] not in AFTER_PUBLISH_GROUPS:
                planned.add(key)
        elif event.event_type == DagsterEventType.ASSET_CHECK_EVALUATION:
            evaluation = event.event_specific_data
            evaluated.add(evaluation.asset_check_key)
            if not evaluation.passed and evaluation.severity == AssetCheckSeverity.ERROR:
                key = evaluation.asset_check_key
                blockers.append(f"check {key.asset_key.to_user_string()} / {key.name} failed: "
                                f"{evaluation.description or ''}".rstrip(": "))
        elif event.event_type == DagsterEventType.ASSET_MATERIALIZATION:
            built.add(event.asset_key)
    for key in sorted(planned - evaluated, key=lambda key: key.to_user_string()):
        blockers.append(f"check {key.asset_key.to_user_string()} / {key.name} did not complete")
    missing = [key.to_user_string() for key in required_assets if key not in built]
    if missing:
        blockers.append(f"{len(missing)} mart(s) were not built in this run, e.g. {missing[0]}")
    return blockers
