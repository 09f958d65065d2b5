"""The Great Expectations suites of `cdp/quality/` as Dagster asset checks."""

from functools import cache
from pathlib import Path

from dagster import (
    AssetCheckExecutionContext,
    AssetCheckResult,
    AssetChecksDefinition,
    AssetCheckSeverity,
    AssetKey,
    MetadataValue,
    asset_check,
)

from cdp.orchestration.resources import CdpSettings
from cdp.publishing.publish import published_row_counts
from cdp.quality.check import QualityCheck
from cdp.quality.identity_review import CHART_FILE, identity_review
from cdp.quality.mart_checks import mart_checks
from cdp.quality.raw_checks import raw_checks
from cdp.quality.thresholds import Thresholds
from cdp.quality.validation import QualityValidator, run_report_page


@cache
def _validator(reports_dir: str) -> QualityValidator:
    """One GX context per process and reports folder, reused by every check and run."""
    return QualityValidator(Path(reports_dir))


def _asset_check(check: QualityCheck) -> AssetChecksDefinition:
    @asset_check(
        asset=AssetKey(list(check.asset)),
        name=check.name,
        description=check.description,
        # Every check is blocking for Dagster, so every check runs before the steps downstream
        # of its asset, publishing last; one that errors stops them. A warning-level check
        # reports WARN, which Dagster lets pass.
        blocking=True,
    )
    def run_check(context: AssetCheckExecutionContext, settings: CdpSettings
                  ) -> AssetCheckResult:
        # Thresholds are read now, not at deploy time: an operator can change them in between.
        thresholds = Thresholds.from_settings(allow_shrink=settings.allow_shrink)
        current = _checks_by_name(thresholds)[check.name]
        run_id = context.run.run_id
        outcome = _validator(settings.reports_dir).run(
            current, Path(settings.warehouse), run_id,
            published_row_counts(Path(settings.published_warehouse)))
        report = run_report_page(Path(settings.reports_dir), run_id)
        return AssetCheckResult(
            passed=outcome.success,
            severity=AssetCheckSeverity.ERROR if check.blocking else AssetCheckSeverity.WARN,
            description=outcome.summary(),
            metadata={
                "rows_checked": outcome.rows_checked,
                "failures": [str(failure) for failure in outcome.failures],
                "quality_report": MetadataValue.url(report.resolve().as_uri()),
            },
        )

    return run_check


def _identity_review_check() -> AssetChecksDefinition:
    @asset_check(
        asset=AssetKey(["marts", "identity_suspicious_customers"]),
        name="identity_review",
        description="The 20 most suspicious customers and the probabilistic model's match "
                    "weights, in the run's quality report. Warns; never blocks publishing.",
        blocking=False,
    )
    def run_review(context: AssetCheckExecutionContext, settings: CdpSettings
                   ) -> AssetCheckResult:
        review = identity_review(Path(settings.warehouse))
        record = review.record()
        page = _validator(settings.reports_dir).reports.add(
            context.run.run_id, record, section=review.section(),
            attachments={CHART_FILE: review.chart_html} if review.model_trained else None)
        return AssetCheckResult(
            passed=record.passed,
            severity=AssetCheckSeverity.WARN,
            description=f"{review.flagged} customers flagged; {review.multi_person} of the "
                        "first 20 carry several people's names.",
            metadata={
                "customers_flagged": review.flagged,
                "multi_person_in_top_20": review.multi_person,
                "probabilistic_model_trained": review.model_trained,
                "quality_report": MetadataValue.url(page.resolve().as_uri() + "#identity"),
            },
        )

    return run_review


def _checks_by_name(thresholds: Thresholds) -> dict[str, QualityCheck]:
    return {check.name: check for check in raw_checks(thresholds) + mart_checks(thresholds)}


def quality_checks() -> list[AssetChecksDefinition]:
    return [_asset_check(check)
            for check in _checks_by_name(Thresholds.from_settings()).values()] \
        + [_identity_review_check()]
