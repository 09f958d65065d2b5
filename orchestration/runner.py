"""Running the nightly job headless, in this process: what `cdp run` and `cdp demo` do."""

from contextlib import nullcontext
from dataclasses import dataclass

from dagster import AssetCheckEvaluation, AssetCheckSeverity, DagsterInstance

from orchestration.definitions import build_definitions
from orchestration.settings import CdpSettings


@dataclass(frozen=True)
class PipelineOutcome:
    success: bool
    failed_steps: list[str]
    failed_checks: list[AssetCheckEvaluation]  # blocking ones: they stopped publishing
    warnings: list[AssetCheckEvaluation]
    published: bool
    evaluations: list[AssetCheckEvaluation]  # every check that ran: dbt tests and GX suites

    def failure_report(self) -> str:
        lines = [f"step failed: {step}" for step in self.failed_steps]
        lines += [
            f"blocking check failed: {check.asset_key.to_user_string()} / {check.check_name}: "
            f"{check.description or ''}"
            for check in self.failed_checks
        ]
        return "\n".join(lines)


def run_pipeline(settings: CdpSettings, instance: DagsterInstance | None = None,
                 log_level: str = "INFO") -> PipelineOutcome:
    """Load, model, check and publish once; never raises for a failed step or check."""
    job = build_definitions(settings).resolve_job_def("cdp_nightly")
    with DagsterInstance.ephemeral() if instance is None else nullcontext(instance) as dagster:
        result = job.execute_in_process(
            instance=dagster,
            raise_on_error=False,
            run_config={"loggers": {"console": {"config": {"log_level": log_level}}}},
        )
        evaluations = result.get_asset_check_evaluations()
        failed_steps = [
            f"{event.step_key}: {event.event_specific_data.error.message.strip()}"
            for event in result.all_events
            if event.is_step_failure and event.event_specific_data.error
        ]
        published = any(
            event.asset_key and event.asset_key.path == ["published", "warehouse"]
            for event in result.get_asset_materialization_events()
        )
    failed = [check for check in evaluations
              if not check.passed and check.severity == AssetCheckSeverity.ERROR]
    warnings = [check for check in evaluations
                if not check.passed and check.severity == AssetCheckSeverity.WARN]
    return PipelineOutcome(
        success=result.success and not failed_steps and not failed and published,
        failed_steps=failed_steps,
        failed_checks=failed,
        warnings=warnings,
        published=published,
        evaluations=evaluations,
    )
