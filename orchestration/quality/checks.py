"""The Great Expectations suites of `data_quality/` as Dagster asset checks."""

from functools import cache
from pathlib import Path

from dagster import (
    AssetCheckResult,
    AssetChecksDefinition,
    AssetCheckSeverity,
    AssetKey,
    MetadataValue,
    asset_check,
)

from data_quality.check import QualityCheck
from data_quality.mart_checks import mart_checks
from data_quality.raw_checks import raw_checks
from data_quality.thresholds import Thresholds
from data_quality.validation import QualityValidator
from orchestration.settings import CdpSettings


@cache
def _validator(reports_dir: str) -> QualityValidator:
    """One GX context per process and reports folder: creating one takes seconds."""
    return QualityValidator(Path(reports_dir))


def _asset_check(check: QualityCheck) -> AssetChecksDefinition:
    @asset_check(
        asset=AssetKey(list(check.asset)),
        name=check.name,
        description=check.description,
        blocking=check.blocking,
    )
    def run_check(settings: CdpSettings) -> AssetCheckResult:
        # Thresholds are read now, not at deploy time: an operator can change them in between.
        current = _checks_by_name(Thresholds.from_environment())[check.name]
        outcome = _validator(settings.reports_dir).run(current, Path(settings.warehouse))
        return AssetCheckResult(
            passed=outcome.success,
            severity=AssetCheckSeverity.ERROR if check.blocking else AssetCheckSeverity.WARN,
            description=outcome.summary(),
            metadata={
                "rows_checked": outcome.rows_checked,
                "failures": [str(failure) for failure in outcome.failures],
                "great_expectations_report": MetadataValue.url(
                    settings.data_docs_index.as_uri()),
            },
        )

    return run_check


def _checks_by_name(thresholds: Thresholds) -> dict[str, QualityCheck]:
    return {check.name: check for check in raw_checks(thresholds) + mart_checks(thresholds)}


def quality_checks() -> list[AssetChecksDefinition]:
    return [_asset_check(check)
            for check in _checks_by_name(Thresholds.from_environment()).values()]
