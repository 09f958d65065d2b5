"""Running checks with Great Expectations and rendering their Data Docs to a known folder."""

from dataclasses import dataclass, field
from pathlib import Path

import duckdb
import great_expectations as gx
import pandas as pd
from great_expectations.checkpoint import UpdateDataDocsAction
from great_expectations.data_context.types.base import ProgressBarsConfig

from data_quality.check import QualityCheck


@dataclass(frozen=True)
class Failure:
    expectation: str
    column: str | None
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
        return f"{self.check.name} failed: " + "; ".join(str(f) for f in self.failures)


def data_docs_index(reports_dir: Path) -> Path:
    """Where the Data Docs site of a reports folder starts."""
    return reports_dir / "gx" / "uncommitted" / "data_docs" / "local_site" / "index.html"


class QualityValidator:
    """A file-backed GX context under `reports_dir`: suites are rebuilt from code each run, and
    every validation updates the Data Docs site at `data_docs_index`."""

    def __init__(self, reports_dir: Path) -> None:
        reports_dir.mkdir(parents=True, exist_ok=True)
        self.context = gx.get_context(mode="file", project_root_dir=str(reports_dir))
        self.context.variables.progress_bars = ProgressBarsConfig(globally=False)
        self.datasource = self.context.data_sources.add_or_update_pandas("cdp_warehouse")
        self.data_docs_index = data_docs_index(reports_dir)

    def run(self, check: QualityCheck, warehouse: Path) -> CheckOutcome:
        """Read the check's rows from the warehouse (read-only) and validate them."""
        with duckdb.connect(str(warehouse), read_only=True) as connection:
            frame = connection.execute(check.query).df()
        return self.validate(check, frame)

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
        checkpoint = self.context.checkpoints.add_or_update(gx.Checkpoint(
            name=check.name,
            validation_definitions=[definition],
            actions=[UpdateDataDocsAction(name="update_data_docs")],
        ))
        result = checkpoint.run(batch_parameters={"dataframe": frame})
        [validation] = result.run_results.values()
        failures = [
            Failure(
                expectation=item.expectation_config.type,
                column=item.expectation_config.kwargs.get("column")
                or item.expectation_config.kwargs.get("column_list"),
                unexpected_count=item.result.get("unexpected_count"),
                examples=list(item.result.get("partial_unexpected_list") or [])[:5],
            )
            for item in validation.results
            if not item.success
        ]
        return CheckOutcome(check, result.success, len(frame), failures)
