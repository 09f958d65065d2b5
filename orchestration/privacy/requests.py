"""Requests from data subjects, end to end: find the person through the identity graph, act
on every place the deployment keeps data, and record the request in the privacy store.

    erase     remove them everywhere (see privacy/erasure.py) and suppress their identifiers
    export    everything held on them, as JSON and CSV in a zip (the right of access)
    restrict  keep their data, but stop processing: every consent withdrawn, no segment,
              audience or prediction

A request that matches more than one customer is shown and needs `confirmed` (the CLI's
`--yes`): one email on two customers may be two people.
"""

import csv
import io
import json
import os
import shutil
import zipfile
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import duckdb

from activation.erasure import (
    delivered_identifiers_of,
    erase_from_upload_files,
    owe_removals_of_erased,
)
from activation.hubspot import hubspot_working_folder
from activation.state import ERASED_REMOVALS_TABLE
from ingestion.pipeline import duckdb_destination
from orchestration.publishing.publish import MANIFEST, versions_folder
from orchestration.publishing.roles import role_published_path
from orchestration.publishing.serving import ServingError, publish_serving, serving_url
from orchestration.settings import CdpSettings, default_dagster_home
from orchestration.transformation.dbt_runner import DbtBuildFailed, dbt_build
from orchestration.warehouse_lock import warehouse_lock
from privacy.erasure import (
    erase_from_pipelines,
    erase_from_published,
    erase_from_warehouse,
    load_erased_values,
    own_identifiers,
    redact_files,
    redact_sqlite,
    rewrite_database,
    suppression_hashes,
    tables_mentioning,
)
from privacy.mentions import mentions_of
from privacy.policy import PolicyError, load_policy
from privacy.store import PrivacyRequest, PrivacyStore, privacy_salt, selector_hash
from privacy.subjects import Subject, describe_subject, matching_customers

RESTRICTIONS_TABLE = "privacy.restricted_records"


@dataclass(frozen=True)
class Selector:
    """What the request names: exactly one of these."""

    email: str | None = None
    phone: str | None = None
    customer_id: str | None = None
    record: str | None = None  # <source>:<id>

    @property
    def kind(self) -> str:
        return next(name for name in ("email", "phone", "customer_id", "record")
                    if getattr(self, name) is not None)

    @property
    def value(self) -> str:
        return getattr(self, self.kind)

    def as_arguments(self) -> dict:
        return {self.kind: self.value}


class NeedsConfirmation(Exception):
    """The request matches several customers; `subject` says which."""

    def __init__(self, subject: Subject):
        super().__init__(f"the request matches {len(subject.customer_ids)} customers")
        self.subject = subject


class NothingMatches(Exception):
    """No customer carries what the request names (recorded all the same)."""


@dataclass
class RequestResult:
    request: PrivacyRequest
    subject: Subject
    archive: Path | None = None  # export only
    exported: dict[str, int] = field(default_factory=dict)  # export only: rows per table
    notes: list[str] = field(default_factory=list)


def _subject(connection: duckdb.DuckDBPyConnection, selector: Selector,
             confirmed: bool) -> Subject:
    customers = matching_customers(connection, **selector.as_arguments())
    subject = describe_subject(connection, customers)
    if len(customers) > 1 and not confirmed:
        raise NeedsConfirmation(subject)
    return subject


def _new_request(kind: str, selector: Selector, requested_by: str, reason: str,
                 salt: str) -> PrivacyRequest:
    return PrivacyRequest(kind=kind, requested_by=requested_by, reason=reason,
                          selector=selector.kind,
                          selector_hash=selector_hash(salt, selector.kind, selector.value))


def _refuse_if_empty(store: PrivacyStore, request: PrivacyRequest, subject: Subject) -> None:
    if not subject.customer_ids:
        request.outcome, request.detail = "no match", "no customer carries what was named"
        store.record(request)
        raise NothingMatches("no customer carries what the request names")


def erase(settings: CdpSettings, selector: Selector, requested_by: str, reason: str,
          confirmed: bool = False) -> RequestResult:
    warehouse = Path(settings.warehouse)
    store = PrivacyStore(warehouse)
    salt = privacy_salt(create=True)
    request = _new_request("erase", selector, requested_by, reason, salt)
    notes = []
    with warehouse_lock(warehouse, purpose="cdp privacy erase"):
        with duckdb.connect(str(warehouse)) as connection:
            subject = _subject(connection, selector, confirmed)
            _refuse_if_empty(store, request, subject)
            own = own_identifiers(connection, subject)
            mentions = mentions_of(subject, own)
            delivered = delivered_identifiers_of(connection, subject.customer_ids)
            connection.execute("begin")
            owed = owe_removals_of_erased(connection, subject.customer_ids,
                                          set(mentions.exact))
            removed = erase_from_warehouse(connection, subject, mentions, salt,
                                           kept_until_notified=frozenset({ERASED_REMOVALS_TABLE}))
            connection.execute("commit")
            if owed:
                removed[f"{ERASED_REMOVALS_TABLE} (owed, sent by the next delivery)"] = owed
        # Suppressed before anything else can fail: a rerun of ingestion never brings them back.
        store.suppress(suppression_hashes(salt, subject, own), request.request_id)
        store.forget_restrictions(subject.record_keys)
        # Their rows are gone already; failing that, the models are rebuilt by the next run.
        notes += _rebuild_models(warehouse)
        rewrite_database(warehouse)
        notes += _republish_serving(warehouse, salt)
    published = Path(settings.published_warehouse).resolve()
    for role in sorted({"admin", *load_policy().roles}):
        removed.update({f"published ({role}) {name}": count for name, count in erase_from_published(
            versions_folder(role_published_path(published, role)), mentions,
            MANIFEST).items()})
    removed.update({f"dlt {name}": count for name, count in
                    erase_from_pipelines(duckdb_destination(warehouse)[1]).items()})
    removed.update({f"activation/{name}": count for name, count in erase_from_upload_files(
        settings.activation_dir, own + delivered, subject.customer_ids).items()})
    # HubSpot's dlt working folder, should a killed delivery have left one (emails in it).
    hubspot_folder = hubspot_working_folder(warehouse)
    if hubspot_folder.exists():
        shutil.rmtree(hubspot_folder)
        removed["activation/hubspot dlt folder"] = 1
    for label, folder in (("reports", Path(settings.reports_dir)),
                          ("logs", settings.logs_dir)):
        removed.update({f"{label}/{name} (redacted)": count
                        for name, count in redact_files(folder, mentions).items()})
    dagster_home = Path(os.environ.get("DAGSTER_HOME") or default_dagster_home(warehouse))
    removed.update({f"dagster storage {name} (redacted)": count
                    for name, count in redact_sqlite(dagster_home, mentions).items()})
    request.customers_matched = len(subject.customer_ids)
    request.records_matched = len(subject.records)
    request.removed = removed
    request.detail = "; ".join(notes)
    store.record(request)
    return RequestResult(request, subject, notes=notes)


def export(settings: CdpSettings, selector: Selector, requested_by: str, reason: str,
           out_dir: Path, confirmed: bool = False) -> RequestResult:
    """Every row of every table that names the person, as `<table>.csv` and one
    `person.json`, in `<out_dir>/<request id>.zip`."""
    warehouse = Path(settings.warehouse)
    store = PrivacyStore(warehouse)
    salt = privacy_salt(create=True)
    request = _new_request("export", selector, requested_by, reason, salt)
    tables: dict[str, list[dict]] = {}
    with duckdb.connect(str(warehouse), read_only=True) as connection:
        subject = _subject(connection, selector, confirmed)
        _refuse_if_empty(store, request, subject)
        mentions = mentions_of(subject, own_identifiers(connection, subject))
        load_erased_values(connection, mentions)
        for relation, condition, parameters in list(tables_mentioning(connection, mentions)):
            cursor = connection.execute(f"select * from {relation} where {condition}",
                                        parameters)
            names = [column[0] for column in cursor.description]
            rows = [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]
            if rows:
                tables[relation.replace('"', "")] = rows
    out_dir.mkdir(parents=True, exist_ok=True)
    archive = out_dir / f"{request.request_id}.zip"
    with zipfile.ZipFile(archive, "w", compression=zipfile.ZIP_DEFLATED) as bundle:
        bundle.writestr("person.json", json.dumps({
            "request_id": request.request_id,
            "exported_at": datetime.now(UTC).isoformat(timespec="seconds"),
            "customer_ids": subject.customer_ids,
            "records": [{"source": source, "record_id": record_id}
                        for source, record_id in subject.records],
            "tables": tables,
        }, ensure_ascii=False, indent=2, default=str))
        for relation, rows in tables.items():
            text = io.StringIO()
            writer = csv.DictWriter(text, fieldnames=list(rows[0]))
            writer.writeheader()
            writer.writerows({key: _cell(value) for key, value in row.items()} for row in rows)
            bundle.writestr(f"{relation}.csv", text.getvalue())
    archive.chmod(0o600)
    request.customers_matched = len(subject.customer_ids)
    request.records_matched = len(subject.records)
    exported = {relation: len(rows) for relation, rows in tables.items()}
    request.detail = f"{sum(exported.values())} rows from {len(exported)} tables exported"
    store.record(request)
    return RequestResult(request, subject, archive=archive, exported=exported)


def restrict(settings: CdpSettings, selector: Selector, requested_by: str, reason: str,
             confirmed: bool = False) -> RequestResult:
    """Record the restriction and apply it now: the warehouse's copy of the restricted records
    (which the models read) is rewritten from the store, and the models rebuilt."""
    warehouse = Path(settings.warehouse)
    store = PrivacyStore(warehouse)
    salt = privacy_salt(create=True)
    request = _new_request("restrict", selector, requested_by, reason, salt)
    notes = []
    with warehouse_lock(warehouse, purpose="cdp privacy restrict"):
        with duckdb.connect(str(warehouse)) as connection:
            subject = _subject(connection, selector, confirmed)
            _refuse_if_empty(store, request, subject)
        store.restrict(subject.record_keys, request.request_id)
        sync_restrictions(warehouse, store)
        notes += _rebuild_models(warehouse)
        notes += _republish_serving(warehouse, salt)
    request.customers_matched = len(subject.customer_ids)
    request.records_matched = len(subject.records)
    request.removed = {}
    request.detail = "; ".join(notes)
    store.record(request)
    return RequestResult(request, subject, notes=notes)


def sync_restrictions(warehouse: Path, store: PrivacyStore) -> None:
    """The models read restrictions from the warehouse: copy the store's list there (the caller
    holds the warehouse lock)."""
    rows = store.restricted_record_keys()
    with duckdb.connect(str(warehouse)) as connection:
        connection.execute("create schema if not exists privacy")
        connection.execute(f"create or replace table {RESTRICTIONS_TABLE} "
                           "(record_key varchar, request_id varchar, restricted_at timestamptz)")
        if rows:
            connection.executemany(f"insert into {RESTRICTIONS_TABLE} values (?, ?, ?)", rows)


def _republish_serving(warehouse: Path, salt: str) -> list[str]:
    """The serving database, when the deployment has one, republished from the warehouse the
    request changed: its old tables are dropped in the swap."""
    url = serving_url()
    if not url:
        return []
    try:
        publish_serving(url, warehouse, load_policy(), salt, run_id="privacy-request")
    except (ServingError, PolicyError) as error:
        return [f"serving database not republished, the next run does it: {error}"]
    return []


def _rebuild_models(warehouse: Path) -> list[str]:
    """dbt build after a request changed the warehouse; a failure is a note, not an error:
    the request's own work is done, and the next nightly run builds the models again."""
    try:
        dbt_build(warehouse)
    except DbtBuildFailed as failure:
        return [f"models not rebuilt: {str(failure).splitlines()[0]}"]
    return []


def _cell(value) -> str:
    if value is None:
        return ""
    if isinstance(value, dict | list):
        return json.dumps(value, ensure_ascii=False, default=str)
    return str(value)
