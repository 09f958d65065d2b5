"""The `cdp` command: the user's entry point to the platform. Exit codes: `cdp.errors`.

Nothing heavy is imported at the top: `cdp --help` and every error path answer in well under a
second; Dagster, dbt and GX are imported by the commands that use them."""

import os
import sys
import time
from datetime import date
from importlib.metadata import version as package_version
from pathlib import Path

import click

from cdp.cli import options
from cdp.cli.config import config
from cdp.errors import CdpError, ExitCode

DEFAULT_WAREHOUSE = Path("warehouse/cdp.duckdb")
DEFAULT_SAMPLE_DIR = Path("sample_data")
_STARTED = time.monotonic()  # imported first thing: the process's start, near enough


def entry() -> None:
    """The `cdp` executable: the commands, and one line for whatever error escapes them (the
    traceback goes to a file, never the terminal)."""
    try:
        main(standalone_mode=True)
    except CdpError as error:
        _fail(str(error), error.exit_code)
    except SystemExit:
        raise
    except KeyboardInterrupt:
        _fail("interrupted: nothing was published; the next run takes over",
              ExitCode.INTERRUPTED)
    except Exception as error:
        from cdp.core.failures import one_line

        warehouse = _warehouse_in_use()
        _fail(f"{one_line(error, warehouse)} (traceback: {_write_traceback(warehouse)})",
              ExitCode.FAILED)


def _warehouse_in_use() -> Path:
    """The warehouse of the settings this command read, for the crash log's folder."""
    from cdp.settings import current_settings

    try:
        return current_settings().paths.warehouse
    except Exception:  # the settings themselves may be what failed
        return DEFAULT_WAREHOUSE.resolve()


def _write_traceback(warehouse: Path) -> str:
    import tempfile
    import traceback

    for folder in (warehouse.parent / "logs", Path(tempfile.gettempdir())):
        try:
            folder.mkdir(parents=True, exist_ok=True)
            path = folder / f"crash-{time.strftime('%Y%m%dT%H%M%S')}-{os.getpid()}.log"
            path.write_text(traceback.format_exc(), encoding="utf-8")
            return str(path)
        except OSError:
            continue
    return "not written: no writable folder"


def _fail(message: str, code: int) -> None:
    """One line naming the cause on stderr, and the exit code: how every CdpError ends."""
    click.echo(message, err=True)
    sys.exit(int(code))


@click.group()
@click.version_option(package_version("cdp"), prog_name="cdp")
def main() -> None:
    """Warehouse-native customer data platform: load exports, resolve identities, publish."""


main.add_command(config)


@main.command()
@click.option("--customers", default=2000, show_default=True, help="People in the population.")
@click.option("--seed", default=42, show_default=True, help="Same seed, same files.")
@click.option("--out", "out_dir", type=click.Path(path_type=Path), default=DEFAULT_SAMPLE_DIR,
              show_default=True, help="Folder to write exports/, next_night/, ground_truth.csv.")
@click.option("--as-of", type=click.DateTime(["%Y-%m-%d"]), default="2026-11-22",
              show_default=True, help="Date of the first night's export.")
@click.option("--profile", type=click.Choice(["default", "messy"]), default="default",
              show_default=True,
              help="How often identity hazards occur: 'messy' has households of up to 6, "
                   "family and company mailboxes, names as typed, store and cashier phones "
                   "with and without names, recycled numbers and junk no blocklist knows.")
def sample(customers: int, seed: int, out_dir: Path, as_of, profile: str) -> None:
    """Generate realistic sample exports for the four source systems, with ground truth."""
    from cdp.sample import PROFILES, generate_sample_exports

    summary = generate_sample_exports(out_dir, customers, seed, date.fromordinal(
        as_of.toordinal()), PROFILES[profile])
    click.echo(f"{summary.people} people written under {out_dir}/")
    for name, count in summary.files.items():
        click.echo(f"  {count:>10,}  {name}")


@main.command(context_settings={"ignore_unknown_options": True})
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


@main.command()
@options.exports_dir
@options.warehouse
@click.option("--destination", envvar="CDP_DESTINATION", show_envvar=True, default=None,
              help="A dlt destination name (e.g. postgres) configured through dlt instead of "
                   "DuckDB; its credentials come from dlt config or environment.")
def ingest(exports_dir: str | None, warehouse: Path | None, destination: str | None) -> None:
    """Load new export files into the raw datasets; bad rows go to each dataset's quarantine."""
    if destination and warehouse:
        raise click.UsageError("give --warehouse (DuckDB) or --destination, not both")
    settings = options.settings_for(exports_dir, warehouse,
                                    **{"run.ingest_destination": destination})
    _ingest(exports_dir, settings.paths.warehouse, settings.run.ingest_destination)


@main.command()
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


@main.command()
@click.option("--customer-id", default=None, help="A customer id (cus_…), or one merged into it.")
@click.option("--email", default=None, help="Every customer this email links or was refused on.")
@click.option("--phone", default=None, help="Every customer this phone links or was refused on.")
@click.option("--record", default=None, help="The customer of a record: <source>:<id>.")
@click.option("--limit", default=10, show_default=True, type=click.IntRange(min=1),
              help="Customers shown for an email or phone on many (the summary counts all).")
@click.option("--all", "show_all", is_flag=True, help="Show every customer, not --limit.")
@options.warehouse
@options.published
@click.option("--role", default=None,
              help="Read the role's published file (e.g. analyst: contact data masked).")
def explain(customer_id: str | None, email: str | None, phone: str | None,
            record: str | None, limit: int, show_all: bool, warehouse: Path | None,
            published: Path | None, role: str | None) -> None:
    """Why a customer's records are together, and which links were refused and why."""
    from rich.console import Console

    from cdp.identity.explain import NotExplained, published_candidates, render
    from cdp.identity.explain import explain as explain_customers

    if sum(option is not None for option in (customer_id, email, phone, record)) != 1:
        raise CdpError("give exactly one of --customer-id, --email, --phone, --record",
                       ExitCode.USAGE)
    candidates = published_candidates(published, warehouse, role)
    found = next((path for path in candidates if path.exists()), None)
    if found is None:
        raise CdpError(
            f"nothing published at {' or '.join(map(str, candidates))}: run `cdp run`, or name "
            "the working warehouse (--warehouse, CDP_WAREHOUSE) or the published file "
            "(--published, CDP_PUBLISHED_WAREHOUSE)", ExitCode.USAGE)
    try:
        explanation = explain_customers(found, customer_id, email, phone, record,
                                        limit=None if show_all else limit)
    except NotExplained as nothing:
        raise CdpError(str(nothing), ExitCode.FAILED) from None
    # Piped or redirected, nothing wraps the long reasons: keep them on one line each.
    render(explanation, Console(highlight=False, width=None if sys.stdout.isatty() else 240),
           found)


@main.group()
def privacy() -> None:
    """Requests from data subjects: erase, export (right of access), restrict processing."""


def _request_options(command):
    request_options = [
        click.option("--email", default=None, help="The person's email, however written."),
        click.option("--phone", default=None, help="The person's phone, however written."),
        click.option("--customer-id", default=None, help="A customer id (cus_…)."),
        click.option("--record", default=None, help="A source record: <source>:<id>."),
        click.option("--requested-by", required=True,
                     help="Who asked (the data subject, their representative, an authority)."),
        click.option("--reason", required=True, help="Why, in a few words (kept in the audit)."),
        click.option("--yes", "confirmed", is_flag=True,
                     help="Go on when the request matches more than one customer."),
        options.warehouse,
    ]
    for option in reversed(request_options):
        command = option(command)
    return command


def _privacy_request(kind: str, arguments: dict, **extra):
    """Run one request, after finishing any an interruption left under way; every way it can
    end is one line naming its cause. Lines are printed as the request goes (erase and
    restrict): the first at once, before the stack is imported."""
    named = {key: arguments.pop(key) for key in ("email", "phone", "customer_id", "record")}
    if sum(value is not None for value in named.values()) != 1:
        raise CdpError("name the person with exactly one of --email, --phone, --customer-id, "
                       "--record", ExitCode.USAGE)
    settings = options.settings_for(warehouse=arguments.pop("warehouse"))
    warehouse = settings.paths.warehouse
    if not warehouse.exists():
        raise CdpError(f"no warehouse at {warehouse}", ExitCode.USAGE) from None
    click.echo(f"cdp {package_version('cdp')} · privacy {kind} · {warehouse}")

    from cdp.core.warehouse_lock import WarehouseLocked, warehouse_lock
    from cdp.orchestration.resources import CdpSettings
    from cdp.privacy.store import PrivacySaltMissing
    from cdp.privacy.subjects import RequestNotUnderstood
    from cdp.privacy_requests import requests
    from cdp.privacy_requests.summary import PrintedProgress

    settings = CdpSettings.from_settings(settings)
    printed = PrintedProgress(click.echo)
    finished = []
    try:
        with warehouse_lock(warehouse, purpose=f"cdp privacy {kind}"):
            finished = requests.finish_interrupted(settings, progress=printed)
        for result in finished:
            for note in result.notes:
                click.echo(f"  note: {note}")
            click.echo(f"  every place: {_write_request_log(settings, result)}")
        if kind in ("erase", "restrict") and not extra.get("dry_run"):
            extra["progress"] = printed
        return getattr(requests, kind)(settings, requests.Selector(**named), **arguments, **extra)
    except requests.NeedsConfirmation as many:
        click.echo(f"The request matches {len(many.subject.customer_ids)} customers "
                   f"({len(many.subject.records)} records):")
        for customer_id in many.subject.customer_ids:
            click.echo(f"  {customer_id}")
        raise CdpError("nothing done: check they are one person (`cdp explain --customer-id "
                       "…`), then repeat with --yes", ExitCode.USAGE) from None
    except requests.NothingMatches as nothing:
        if finished:
            click.echo("Nothing more to do: the interrupted request above is finished.")
            sys.exit(0)
        raise CdpError(f"nothing done: {nothing} (the request is recorded)",
                       ExitCode.FAILED) from None
    except (RequestNotUnderstood, PrivacySaltMissing) as error:
        raise CdpError(f"error: {error}", ExitCode.USAGE) from None
    except WarehouseLocked as locked:
        raise CdpError(f"error: {locked}", ExitCode.LOCKED) from None


def _write_request_log(settings, result) -> Path:
    """Every place the request touched, in its log file (dbt's rebuild output is there too)."""
    from cdp.privacy_requests.summary import detail_lines

    log_file = settings.logs_dir / f"{result.request.request_id}.log"
    log_file.parent.mkdir(parents=True, exist_ok=True)
    with log_file.open("a", encoding="utf-8") as handle:
        handle.write("\n".join(["", *detail_lines(result), ""]))
    return log_file


def _print_outcome(result, dry_run: bool = False) -> None:
    from cdp.orchestration.resources import CdpSettings
    from cdp.privacy_requests.summary import summary_lines

    request = result.request
    if result.exported:
        click.echo(f"{request.kind} {request.request_id}: {request.customers_matched} "
                   f"customer(s), {request.records_matched} record(s)")
        for place, count in sorted(result.exported.items()):
            click.echo(f"  {count:>8,}  {place}")
        return
    if dry_run:  # a preview prints at the end; a request printed its lines as it went
        click.echo("\n".join(summary_lines(result, dry_run=True)))
        return
    for note in result.notes:
        click.echo(f"  note: {note}")
    log_file = _write_request_log(CdpSettings.from_settings(), result)
    click.echo(f"  every place: {log_file}")


@privacy.command("map")
@options.warehouse
@click.option("--out", type=click.Path(path_type=Path), default=None,
              help="Write the map (Markdown) to this file instead of printing it.")
def privacy_map(warehouse: Path | None, out: Path | None) -> None:
    """Where personal data lives: each table and column, its category, sources, retention;
    then every place outside the warehouse (published versions, role files, upload files,
    reports, logs, Dagster's storage, dlt's folder, the privacy store)."""
    import json

    import duckdb

    from cdp.activation.destinations.files import UploadFile
    from cdp.activation.destinations.registry import DESTINATIONS
    from cdp.ingestion.working_folder import dlt_working_folder
    from cdp.orchestration.resources import CdpSettings
    from cdp.privacy.data_map import (
        DeploymentPaths,
        build_data_map,
        places_outside_the_warehouse,
        render_markdown,
    )
    from cdp.privacy.policy import PolicyError, load_policy
    from cdp.privacy.store import store_path
    from cdp.publishing.serving import serving_url
    from cdp.settings import REPO_ROOT

    tree = options.settings_for(warehouse=warehouse)
    warehouse = tree.paths.warehouse
    if not warehouse.exists():
        raise CdpError(f"no warehouse at {warehouse}: run `cdp run` first", ExitCode.USAGE)
    try:
        policy = load_policy()
    except PolicyError as error:
        raise CdpError(f"error: {error}", ExitCode.USAGE) from None
    settings = CdpSettings.from_settings(tree)
    paths = DeploymentPaths(
        warehouse=warehouse, published=Path(settings.published_warehouse).resolve(),
        reports=Path(settings.reports_dir).resolve(), logs=settings.logs_dir,
        activation=settings.activation_dir,
        dagster_home=tree.paths.dagster,
        pipelines=dlt_working_folder(warehouse),
        privacy_store=store_path(warehouse).parent,
        versions_kept=settings.published_versions_kept, serving_database=bool(serving_url()),
        upload_files_hold="what each destination was sent: " + "; ".join(
            f"{name}: {destination.receives}" for name, destination in DESTINATIONS.items()
            if isinstance(destination, UploadFile)))
    manifest_path = REPO_ROOT / "dbt_project" / "target" / "manifest.json"
    manifest = json.loads(manifest_path.read_text()) if manifest_path.exists() else None
    with duckdb.connect(str(warehouse), read_only=True) as connection:
        text = render_markdown(build_data_map(connection, policy, manifest),
                               places_outside_the_warehouse(paths, policy))
    if out:
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(text, encoding="utf-8")
        click.echo(f"Written: {out}")
    else:
        click.echo(text, nl=False)


@privacy.command("erase")
@_request_options
@click.option("--dry-run", is_flag=True,
              help="Show what would be removed where, and change nothing.")
def privacy_erase(dry_run: bool, **arguments) -> None:
    """Erase a person everywhere (warehouse, published versions, dlt packages, reports, logs)
    and keep them out of every later load."""
    result = _privacy_request("erase", arguments, dry_run=dry_run)
    _print_outcome(result, dry_run=dry_run)
    if dry_run:
        click.echo("Nothing was changed (--dry-run).")
        return
    click.echo("Erased. Later exports carrying their identifiers are dropped at ingestion; "
               "destinations that held them are sent their removal by their next delivery.")


@privacy.command("export")
@_request_options
@click.option("--out", "out_dir", type=click.Path(path_type=Path), default=Path("."),
              show_default=True, help="Folder for the zip.")
def privacy_export(out_dir: Path, **arguments) -> None:
    """Everything held on a person, as JSON and CSV in a zip (the right of access)."""
    result = _privacy_request("export", arguments, out_dir=out_dir)
    _print_outcome(result)
    click.echo(f"Written: {result.archive}")


@privacy.command("restrict")
@_request_options
def privacy_restrict(**arguments) -> None:
    """Stop processing a person: data kept, every consent withdrawn, no segment or audience."""
    result = _privacy_request("restrict", arguments)
    _print_outcome(result)
    if "published now" in result.steps:
        click.echo("Restricted: in no segment or audience, every consent withdrawn, in what BI "
                   "reads now; destinations are sent their removal by their next delivery.")
    else:
        click.echo("Restricted: from the next night on they are in no segment or audience.")


def _run_options(command):
    run_options = [
        options.published,
        click.option("--allow-shrink", is_flag=True,
                     help="Publish even if customers or orders shrank by more than "
                          "publishing.max_shrink_share against the published version."),
        click.option("--wait-for-lock", type=float, default=0, show_default=True,
                     help="Seconds to wait for another run on the same warehouse to end."),
        click.option("--quiet", "-q", is_flag=True, help="Print only the outcome."),
        click.option("--verbose", "-v", is_flag=True,
                     help="Also print every step's log lines (they always go to the log file)."),
    ]
    for option in reversed(run_options):
        command = option(command)
    return command


@main.command()
@options.exports_dir
@options.warehouse
@_run_options
def run(exports_dir: str | None, warehouse: Path | None, published: Path | None,
        allow_shrink: bool,
        wait_for_lock: float, quiet: bool, verbose: bool) -> None:
    """Run the nightly Dagster job once, headless: load, model, check, publish."""
    sys.exit(_run_pipeline(exports_dir, warehouse, published, allow_shrink, wait_for_lock,
                           quiet, verbose))


@main.command()
@click.option("--customers", default=2000, show_default=True)
@click.option("--out", "out_dir", type=click.Path(path_type=Path), default=DEFAULT_SAMPLE_DIR,
              show_default=True)
@options.warehouse
@_run_options
def demo(customers: int, out_dir: Path, warehouse: Path | None, published: Path | None,
         allow_shrink: bool, wait_for_lock: float, quiet: bool, verbose: bool) -> None:
    """Generate the bundled sample exports (once) and run the nightly job on them."""
    from cdp.sample import generate_sample_exports

    if not (out_dir / "ground_truth.csv").exists():
        summary = generate_sample_exports(out_dir, customers)
        click.echo(f"Generated sample exports for {summary.people:,} people in {out_dir}/")
    code = _run_pipeline(str(out_dir / "exports"), warehouse, published, allow_shrink,
                         wait_for_lock, quiet, verbose)
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
                  allow_shrink: bool, wait_for_lock: float, quiet: bool, verbose: bool) -> int:
    """Run the job with the screen showing it; returns the exit code. The first line, the
    folder check and the lock come before Dagster, dbt and GX are imported (seconds)."""
    from rich.console import Console

    from cdp.core.warehouse_lock import WarehouseLocked, warehouse_lock

    # The screen: stdout as it is now, before the run sends library output to the log file.
    console = Console(file=sys.stdout, highlight=False)
    settings = _settings(exports_dir, warehouse, published, allow_shrink)
    warehouse = Path(settings.warehouse)
    if not quiet:
        console.print(f"cdp {package_version('cdp')} · {settings.exports_dir} → {warehouse}",
                      highlight=False, soft_wrap=True)
    _check_exports(settings.exports_dir)
    _preflight(warehouse)
    try:
        with warehouse_lock(warehouse, purpose="cdp run",
                            wait_seconds=wait_for_lock) as note:
            if note and not quiet:
                console.print(f"note: {note}", style="yellow", highlight=False)
            from cdp.cli.display import RunDisplay
            from cdp.orchestration.runner import new_log_file, run_pipeline

            display = RunDisplay(console, quiet=quiet, verbose=verbose)
            log_file = new_log_file(settings)
            outcome = run_pipeline(settings, observer=display, log_file=log_file)
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
        return f"\n      (.env exists: set DAGSTER_HOME={lines['DAGSTER_HOME']} there to see " \
               "this run)"
    dotenv.write_text("# Written by `cdp demo`: `dagster dev` started here reads it.\n" + "".join(
        f"{name}={value}\n" for name, value in lines.items()))
    return "\n      (.env written: dagster dev shows this run and reads these paths)"


def _ingest(exports_dir: str | None, warehouse: Path, destination: str | None) -> None:
    from cdp.core.warehouse_lock import WarehouseLocked, warehouse_lock
    from cdp.ingestion.folder import ExportsFolderError
    from cdp.ingestion.pipeline import duckdb_destination, ingest_exports
    from cdp.privacy.store import PrivacyStore

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
