"""`cdp privacy`: requests from data subjects (erase, export, restrict) and the data map."""

import sys
from importlib.metadata import version as package_version
from pathlib import Path

import click

from cdp.cli import options
from cdp.errors import CdpError, ExitCode


@click.group()
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
        # --yes acts on every one of them: a shared phone or a family inbox names several people.
        raise CdpError("nothing done: if they are one person (`cdp explain --customer-id …`), "
                       "repeat with --yes; if not, name the one with --customer-id or --record",
                       ExitCode.USAGE) from None
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
    from cdp.transformation.manifest import deployment_manifest

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
        received_chat=Path(settings.exports_dir) / "chat",
        versions_kept=settings.published_versions_kept, serving_database=bool(serving_url()),
        upload_files_hold="what each destination was sent: " + "; ".join(
            f"{name}: {destination.receives}" for name, destination in DESTINATIONS.items()
            if isinstance(destination, UploadFile)))
    manifest = deployment_manifest(tree)
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
