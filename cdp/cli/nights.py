"""The nightly work from the command line: `cdp run` (the whole job, as Dagster runs it), its
steps `cdp ingest` and `cdp transform`, `cdp demo` on the bundled sample, and `cdp dbt`."""

import sys
import time
from datetime import date, datetime
from importlib.metadata import version as package_version
from pathlib import Path

import click

from cdp.cli import options
from cdp.cli.sample import DEFAULT_SAMPLE_DIR
from cdp.errors import CdpError, ExitCode

_STARTED = time.monotonic()  # imported with the command: the process's start, near enough


@click.command(context_settings={"ignore_unknown_options": True})
@options.warehouse
@click.argument("dbt_arguments", nargs=-1, type=click.UNPROCESSED)
def dbt(warehouse: Path | None, dbt_arguments: tuple[str, ...]) -> None:
    """Any dbt command on the bundled project, given the deployment's settings as --vars, as
    every build the product runs is (e.g. `cdp dbt ls --select marts`)."""
    from dbt.cli.main import dbtRunner

    from cdp.transformation.dbt_runner import dbt_command, release_warehouse

    settings = options.settings_for(warehouse=warehouse)
    try:
        result = dbtRunner().invoke(dbt_command(list(dbt_arguments), settings.paths.warehouse,
                                                settings))
    finally:
        release_warehouse()
    sys.exit(ExitCode.DONE if result.success else ExitCode.FAILED)


@click.command()
@options.exports_dir
@options.warehouse
@click.option("--destination", envvar="CDP_DESTINATION", show_envvar=True, default=None,
              help="A dlt destination name (e.g. postgres) configured through dlt instead of "
                   "DuckDB; its credentials come from dlt config or environment.")
@options.since
def ingest(exports_dir: str | None, warehouse: Path | None, destination: str | None,
           since: datetime | None) -> None:
    """Load new export files into the raw datasets; bad rows go to each dataset's quarantine.
    With API credentials (Klaviyo, HubSpot), pull what changed there too."""
    if destination and warehouse:
        raise click.UsageError("give --warehouse (DuckDB) or --destination, not both")
    settings = options.settings_for(exports_dir, warehouse,
                                    **{"run.ingest_destination": destination,
                                       "sources.pull_since": since.date() if since else None})
    _ingest(exports_dir, settings.paths.warehouse, settings.run.ingest_destination)


@click.command()
@options.warehouse
@click.option("--select", default=None, help="dbt node selection, e.g. 'marts' or '+customers'.")
def transform(warehouse: Path | None, select: str | None) -> None:
    """Run `dbt build` over the loaded raw data: staging, identity resolution, marts, tests."""
    from cdp.core.warehouse_lock import WarehouseLocked, warehouse_lock
    from cdp.transformation.dbt_runner import DbtBuildFailed, dbt_build

    settings = options.settings_for(warehouse=warehouse)
    warehouse = settings.paths.warehouse
    try:
        with warehouse_lock(warehouse, purpose="cdp transform"):
            dbt_build(warehouse, select=select, settings=settings)
    except WarehouseLocked as locked:
        raise CdpError(str(locked), ExitCode.LOCKED) from None
    except DbtBuildFailed as failure:
        raise click.ClickException(str(failure)) from failure
    click.echo(f"Marts built in {warehouse} (schema marts).")


def _run_options(command):
    run_options = [
        options.published,
        click.option("--allow-shrink", is_flag=True,
                     help="Publish even if customers or orders shrank by more than "
                          "publishing.max_shrink_share against the published version."),
        click.option("--full-refresh", is_flag=True,
                     help="Rebuild every model from all of history, not only what the night "
                          "changed (the ids given before and the trained matching model are "
                          "kept); runs even when nothing is new."),
        click.option("--retrain-matching", is_flag=True,
                     help="Train the probabilistic matching model again (else the saved one "
                          "scores the night's pairs; see probabilistic_retrain_growth)."),
        click.option("--wait-for-lock", type=float, default=0, show_default=True,
                     help="Seconds to wait for another run on the same warehouse to end."),
        click.option("--quiet", "-q", is_flag=True, help="Print only the outcome."),
        click.option("--verbose", "-v", is_flag=True,
                     help="Also print every step's log lines (they always go to the log file)."),
    ]
    for option in reversed(run_options):
        command = option(command)
    return command


@click.command()
@options.exports_dir
@options.warehouse
@_run_options
@options.since
def run(exports_dir: str | None, warehouse: Path | None, published: Path | None,
        allow_shrink: bool, full_refresh: bool, retrain_matching: bool,
        wait_for_lock: float, quiet: bool, verbose: bool, since: datetime | None) -> None:
    """Run the nightly Dagster job once, headless: load, model, check, publish. A night that
    brought nothing new (no new export file, no request) ends at once, publishing nothing."""
    sys.exit(_run_pipeline(exports_dir, warehouse, published, allow_shrink, wait_for_lock,
                           quiet, verbose, full_refresh, retrain_matching,
                           since.date() if since else None))


@click.command()
@click.option("--customers", default=2000, show_default=True)
@click.option("--out", "out_dir", type=click.Path(path_type=Path), default=DEFAULT_SAMPLE_DIR,
              show_default=True)
@options.warehouse
@_run_options
def demo(customers: int, out_dir: Path, warehouse: Path | None, published: Path | None,
         allow_shrink: bool, full_refresh: bool, retrain_matching: bool, wait_for_lock: float,
         quiet: bool, verbose: bool) -> None:
    """Generate the bundled sample exports (once) and run the nightly job on them."""
    from cdp.sample import generate_sample_exports

    if not (out_dir / "ground_truth.csv").exists():
        summary = generate_sample_exports(out_dir, customers)
        click.echo(f"Generated sample exports for {summary.people:,} people in {out_dir}/")
    code = _run_pipeline(str(out_dir / "exports"), warehouse, published, allow_shrink,
                         wait_for_lock, quiet, verbose, full_refresh, retrain_matching)
    settings = _settings(str(out_dir / "exports"), warehouse, published, allow_shrink)
    warehouse = Path(settings.warehouse)
    env_note = _write_dotenv(settings)
    if code in (0, ExitCode.SET_ASIDE) and not quiet:
        next_night = (f"cp -r {out_dir}/next_night/* {out_dir}/exports/ && .venv/bin/cdp run "
                      f"--exports-dir {out_dir}/exports --warehouse {warehouse}")
        click.echo(f"""
Where to look:
  BI tools (read-only; see docs/bi.md):  {settings.published_warehouse}
  quality report (opens offline):  {settings.data_docs_index}
  the pipeline and this run in Dagster:  .venv/bin/dagster dev  (http://localhost:3000){env_note}
  deliver the next night:  {next_night}""")
    sys.exit(code)


def _settings(exports_dir: str | None, warehouse: Path | None, published: Path | None,
              allow_shrink: bool = False):
    """The run's paths (a Dagster resource) from the settings tree and this command's options."""
    from cdp.orchestration.resources import CdpSettings

    tree = options.settings_for(exports_dir, warehouse, published)
    return CdpSettings.from_settings(tree, allow_shrink=allow_shrink)


def _check_exports(exports_dir: str) -> None:
    from cdp.ingestion.folder import ExportsFolderError, check_exports_folder
    from cdp.sources.registry import configured_systems

    try:
        check_exports_folder(exports_dir, configured_systems())
    except ExportsFolderError as error:
        raise CdpError(f"error: {error}", ExitCode.USAGE) from None


def _run_pipeline(exports_dir: str | None, warehouse: Path | None, published: Path | None,
                  allow_shrink: bool, wait_for_lock: float, quiet: bool, verbose: bool,
                  full_refresh: bool = False, retrain_matching: bool = False,
                  pull_since: date | None = None) -> int:
    """Run the job with the screen showing it; returns the exit code. The first line, the
    folder check and the lock come before Dagster, dbt and GX are imported (seconds)."""
    from rich.console import Console

    from cdp.core.warehouse_lock import WarehouseLocked, warehouse_lock

    # The screen: stdout as it is now, before the run sends library output to the log file.
    console = Console(file=sys.stdout, highlight=False)
    # No Dagster yet. The job runs in this process (in_process_executor): its steps read
    # these settings, `--since` included.
    tree = options.settings_for(exports_dir, warehouse, published,
                                **{"sources.pull_since": pull_since})
    warehouse = tree.paths.warehouse
    if not quiet:
        console.print(f"cdp {package_version('cdp')} · {tree.paths.exports_dir} → {warehouse}",
                      highlight=False, soft_wrap=True)
    _check_exports(tree.paths.exports_dir)
    _preflight(warehouse)
    try:
        with warehouse_lock(warehouse, purpose="cdp run",
                            wait_seconds=wait_for_lock) as note:
            if note and not quiet:
                console.print(f"note: {note}", style="yellow", highlight=False)
            from cdp.transformation.nothing_new import night_to_skip

            if not (full_refresh or retrain_matching) and (unchanged := night_to_skip(tree)):
                console.print(f"{unchanged.line()} ({time.monotonic() - _STARTED:.1f} s)",
                              highlight=False, soft_wrap=True)
                return ExitCode.DONE
            from cdp.cli.display import RunDisplay
            from cdp.orchestration.runner import new_log_file, run_pipeline

            settings = _settings(exports_dir, warehouse, published, allow_shrink)

            display = RunDisplay(console, quiet=quiet, verbose=verbose)
            log_file = new_log_file(settings)
            outcome = run_pipeline(settings, observer=display, log_file=log_file,
                                   full_refresh=full_refresh,
                                   retrain_matching=retrain_matching)
    except WarehouseLocked as locked:
        raise CdpError(f"error: {locked}", ExitCode.LOCKED) from None
    display.outcome(outcome, Path(settings.published_warehouse))
    if not quiet:
        # From the process's start: the wall time the user waited, imports included.
        console.print(f"  ({time.monotonic() - _STARTED:.0f} s)", style="dim")
    if not outcome.published:
        return ExitCode.FAILED
    return ExitCode.SET_ASIDE if outcome.files_set_aside else 0


def _preflight(warehouse: Path) -> None:
    from cdp.core.failures import MachineProblem, preflight

    try:
        preflight(warehouse)
    except MachineProblem as problem:
        raise CdpError(str(problem), ExitCode.FAILED) from None


def _write_dotenv(settings) -> str:
    """Point `dagster dev` (started in this folder) at this deployment: it reads `.env`."""
    from cdp.settings import current_settings

    dotenv = Path(".env")
    lines = {
        "DAGSTER_HOME": str(current_settings().paths.dagster),
        "CDP_EXPORTS_DIR": settings.exports_dir,
        "CDP_WAREHOUSE": settings.warehouse,
        "CDP_PUBLISHED_WAREHOUSE": settings.published_warehouse,
    }
    if dotenv.exists():
        if f"DAGSTER_HOME={lines['DAGSTER_HOME']}" in dotenv.read_text().splitlines():
            return ""
        return f"\n      (.env exists: set DAGSTER_HOME={lines['DAGSTER_HOME']} there to see " \
               "this run)"
    dotenv.write_text("# Written by `cdp demo`: `dagster dev` started here reads it.\n" + "".join(
        f"{name}={value}\n" for name, value in lines.items()))
    return "\n      (.env written: dagster dev shows this run and reads these paths)"


def _ingest(exports_dir: str | None, warehouse: Path, destination: str | None) -> None:
    from cdp.core.warehouse_lock import WarehouseLocked, warehouse_lock
    from cdp.ingestion.folder import ExportsFolderError
    from cdp.privacy.store import PrivacyStore
    from cdp.sources.pipeline import duckdb_destination, ingest_exports

    pipelines_dir = None
    if not destination:
        destination, pipelines_dir = duckdb_destination(warehouse)
    try:
        with warehouse_lock(warehouse, purpose="cdp ingest"):
            suppression = PrivacyStore(warehouse).suppression()
            report = ingest_exports(exports_dir, destination, pipelines_dir,
                                    suppression=suppression)
    except ExportsFolderError as error:
        raise CdpError(f"error: {error}", ExitCode.USAGE) from None
    except WarehouseLocked as locked:
        raise CdpError(f"error: {locked}", ExitCode.LOCKED) from None
    for system in report.systems:
        click.echo(f"{system.dataset}.{system.table}: {system.rows_added:,} rows added, "
                   f"{system.rows_quarantined:,} set aside in {system.dataset}.quarantine")
        if system.deletions_added:
            click.echo(f"{system.dataset}.deleted_{system.table}: {system.deletions_added:,} "
                       "deletions added")
        for file in system.files:
            line = f"  {file.status:<9} {file.source_file}"
            if file.status == "loaded":
                line += f" ({file.records_read:,} read, {file.records_quarantined:,} set aside"
                if file.records_suppressed:
                    line += f", {file.records_suppressed:,} of erased people dropped"
                line += ")"
            if file.detail:
                line += f": {file.detail}"
            click.echo(line)
            if file.warnings:
                click.echo(f"            columns: {file.warnings}")
    for file in report.ignored_outside:
        click.echo(f"  ignored   {file.relative_path}: {file.reason}")
    if report.failed_files:
        raise CdpError(f"{len(report.failed_files)} file(s) set aside whole; they stay in place "
                       "and are retried on the next run.", ExitCode.SET_ASIDE)
