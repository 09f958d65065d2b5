"""Checks that Great Expectations does not run — dbt's tests, the destinations' checks — filed
in the run's quality report too, so the report lists every check the run evaluated: the same
count as Dagster's and the `cdp` command's."""

from datetime import UTC, datetime
from pathlib import Path

from dagster import AssetCheckResult, AssetCheckSeverity, AssetKey

from cdp.quality.report import CheckRecord, FailedExpectation
from cdp.quality.validation import ReportFolder


def file_check_results(reports_dir: str, run_id: str, asset_key: AssetKey | None,
                       results: list[AssetCheckResult],
                       descriptions: dict[tuple[AssetKey, str], str],
                       qualify_names: bool = False) -> None:
    """`asset_key`: the asset of results that name none (an asset's own checks).
    `qualify_names`: the check's name is the same on several assets (each destination's), so
    the report files it as `<asset>.<name>` (`activation.csv.holds_exactly_the_members`)."""
    now = datetime.now(UTC)
    records = []
    for result in results:
        key = result.asset_key or asset_key
        metadata = {name: getattr(value, "value", value)
                    for name, value in (result.metadata or {}).items()}
        failures = () if result.passed else (FailedExpectation(
            expectation=str(metadata.get("status") or "failed"),
            column=None,
            unexpected_count=_count(metadata.get("failures")),
            examples=tuple(f"{name}: {value}" for name, value in sorted(metadata.items())
                           if name not in ("status", "failures", "invocation_id"))[:5]),)
        records.append(CheckRecord(
            name=f"{'.'.join(key.path)}.{result.check_name}" if qualify_names and key
            else result.check_name,
            asset="/".join(key.path) if key else "",
            description=result.description or descriptions.get((key, result.check_name), ""),
            blocking=result.severity == AssetCheckSeverity.ERROR,
            passed=bool(result.passed),
            rows_checked=0,
            checked_at=now,
            failures=failures,
        ))
    ReportFolder(Path(reports_dir)).add_many(run_id, records)


def _count(value) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None
