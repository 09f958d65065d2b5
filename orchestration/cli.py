"""The `cdp` command: the user's entry point to the platform."""

import sys
from datetime import date
from pathlib import Path

import click

DEFAULT_WAREHOUSE = Path("warehouse/cdp.duckdb")
DEFAULT_SAMPLE_DIR = Path("sample_data")


@click.group()
def main() -> None:
    """Warehouse-native customer data platform: load exports, resolve identities, publish."""


@main.command()
@click.option("--customers", default=2000, show_default=True, help="People in the population.")
@click.option("--seed", default=42, show_default=True, help="Same seed, same files.")
@click.option("--out", "out_dir", type=click.Path(path_type=Path), default=DEFAULT_SAMPLE_DIR,
              show_default=True, help="Folder to write exports/, next_night/, ground_truth.csv.")
@click.option("--as-of", type=click.DateTime(["%Y-%m-%d"]), default="2026-11-22",
              show_default=True, help="Date of the first night's export.")
def sample(customers: int, seed: int, out_dir: Path, as_of) -> None:
    """Generate realistic sample exports for the four source systems, with ground truth."""
    from ingestion.sample_exports import generate_sample_exports

    summary = generate_sample_exports(out_dir, customers, seed, date.fromordinal(
        as_of.toordinal()))
    click.echo(f"{summary.people} people written under {out_dir}/")
    for name, count in summary.files.items():
        click.echo(f"  {count:>10,}  {name}")


@main.command()
@click.option("--exports-dir", envvar="CDP_EXPORTS_DIR", default=None,
              help="Folder or fsspec URL (s3://…) with website/, crm/, social/, pos/ "
                   "[default: dlt config `sources.exports_dir`].")
@click.option("--warehouse", envvar="CDP_WAREHOUSE", type=click.Path(path_type=Path),
              default=None, help=f"DuckDB file [default: {DEFAULT_WAREHOUSE}].")
@click.option("--destination", envvar="CDP_DESTINATION", default=None,
              help="A dlt destination name (e.g. postgres) configured through dlt instead of "
                   "DuckDB; its credentials come from dlt config or environment.")
def ingest(exports_dir: str | None, warehouse: Path | None, destination: str | None) -> None:
    """Load new export files into the raw datasets; bad rows go to each dataset's quarantine."""
    if destination and warehouse:
        raise click.UsageError("give --warehouse (DuckDB) or --destination, not both")
    _ingest(exports_dir, warehouse or DEFAULT_WAREHOUSE, destination)


@main.command()
@click.option("--warehouse", envvar="CDP_WAREHOUSE", type=click.Path(path_type=Path),
              default=DEFAULT_WAREHOUSE, show_default=True, help="DuckDB file holding raw_*.")
@click.option("--select", default=None, help="dbt node selection, e.g. 'marts' or '+customers'.")
def transform(warehouse: Path, select: str | None) -> None:
    """Run `dbt build` over the loaded raw data: staging, identity resolution, marts, tests."""
    from orchestration.transformation.dbt_runner import DbtBuildFailed, dbt_build

    try:
        dbt_build(warehouse, select=select)
    except DbtBuildFailed as failure:
        raise click.ClickException(str(failure)) from failure
    click.echo(f"Marts built in {warehouse} (schema marts).")


@main.command()
@click.option("--exports-dir", envvar="CDP_EXPORTS_DIR", required=True,
              help="Folder or fsspec URL (s3://…) with website/, crm/, social/, pos/.")
@click.option("--warehouse", envvar="CDP_WAREHOUSE", type=click.Path(path_type=Path),
              default=DEFAULT_WAREHOUSE, show_default=True,
              help="Working DuckDB file the run builds in.")
@click.option("--published", envvar="CDP_PUBLISHED_WAREHOUSE", type=click.Path(path_type=Path),
              default=None, help="DuckDB file BI tools read [default: <warehouse dir>/published/"
                                 "<warehouse name>].")
def run(exports_dir: str, warehouse: Path, published: Path | None) -> None:
    """Run the nightly Dagster job once, headless: load, model, check, publish."""
    settings = _settings(exports_dir, warehouse, published)
    _run_pipeline(settings)


@main.command()
@click.option("--customers", default=2000, show_default=True)
@click.option("--out", "out_dir", type=click.Path(path_type=Path), default=DEFAULT_SAMPLE_DIR,
              show_default=True)
@click.option("--warehouse", type=click.Path(path_type=Path), default=DEFAULT_WAREHOUSE,
              show_default=True)
def demo(customers: int, out_dir: Path, warehouse: Path) -> None:
    """Generate the bundled sample exports (once) and run the nightly job on them."""
    from ingestion.sample_exports import generate_sample_exports

    if not (out_dir / "ground_truth.csv").exists():
        summary = generate_sample_exports(out_dir, customers)
        click.echo(f"Generated sample exports for {summary.people:,} people in {out_dir}/")
    settings = _settings(str(out_dir / "exports"), warehouse, None)
    _run_pipeline(settings)
    next_night = (f"cp -r {out_dir}/next_night/* {out_dir}/exports/ && .venv/bin/cdp run "
                  f"--exports-dir {out_dir}/exports --warehouse {warehouse}")
    peek = (f".venv/bin/python -c \"import duckdb; print(duckdb.connect("
            f"'{settings.published_warehouse}', read_only=True)"
            f".sql('from marts.customers limit 5'))\"")
    click.echo(f"""
Where to look:
  published marts, for BI tools (open it read-only):  {settings.published_warehouse}
      {peek}
  working warehouse (raw_*, staging, intermediate, marts):  {settings.warehouse}
  Great Expectations report:  {settings.data_docs_index}
  the pipeline in Dagster's UI:  .venv/bin/dagster dev   (then http://localhost:3000)
  deliver the next night:  {next_night}""")


def _settings(exports_dir: str, warehouse: Path, published: Path | None):
    from orchestration.settings import CdpSettings

    warehouse = warehouse.resolve()
    published = (published or warehouse.parent / "published" / warehouse.name).resolve()
    if "://" not in exports_dir:
        exports_dir = str(Path(exports_dir).resolve())
    return CdpSettings(exports_dir=exports_dir, warehouse=str(warehouse),
                       published_warehouse=str(published),
                       reports_dir=str(warehouse.parent / "reports"))


def _run_pipeline(settings) -> None:
    from orchestration.runner import run_pipeline

    click.echo(f"Running the nightly job on {settings.exports_dir} ...")
    outcome = run_pipeline(settings)
    for warning in outcome.warnings:
        click.echo(f"warning: {warning.check_name}: {warning.description}", err=True)
    if not outcome.success:
        click.echo(outcome.failure_report() or "the run failed", err=True)
        click.echo("Nothing was published: the previous published version stays in place.",
                   err=True)
        sys.exit(1)
    click.echo(f"Published the marts to {settings.published_warehouse}")


def _ingest(exports_dir: str | None, warehouse: Path, destination: str | None) -> None:
    from ingestion.pipeline import duckdb_destination, ingest_exports

    pipelines_dir = None
    if not destination:
        destination, pipelines_dir = duckdb_destination(warehouse)
    report = ingest_exports(exports_dir, destination, pipelines_dir)
    for system in report.systems:
        click.echo(f"{system.dataset}.{system.table}: {system.rows_added:,} rows added, "
                   f"{system.rows_quarantined:,} set aside in {system.dataset}.quarantine")
        for file in system.files:
            line = f"  {file.status:<9} {file.source_file}"
            if file.status == "loaded":
                line += f" ({file.records_read:,} read, {file.records_quarantined:,} set aside)"
            if file.detail:
                line += f": {file.detail}"
            click.echo(line)
    if report.failed_files:
        click.echo(f"{len(report.failed_files)} file(s) could not be read; they stay in place "
                   "and are retried on the next run.", err=True)
        sys.exit(1)
