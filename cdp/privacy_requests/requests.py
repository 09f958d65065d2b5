"""Requests from data subjects, end to end: find the person through the identity graph, act
on every place the deployment keeps data, and record the request in the privacy store.

    erase     remove them everywhere (see cdp/privacy/erasure.py) and suppress their identifiers
    export    everything held on them, as JSON and CSV in a zip (the right of access)
    restrict  keep their data, but stop processing: every consent withdrawn, no segment,
              audience or prediction

A request that matches more than one customer is shown and needs `confirmed` (the CLI's
`--yes`): one email on two customers may be two people.
"""

import csv
import io
import json
import shutil
import zipfile
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Protocol

import duckdb

from cdp.activation.erasure import (
    delivered_identifiers_of,
    erase_from_upload_files,
    owe_removals_of_erased,
)
from cdp.activation.state import ERASED_REMOVALS_TABLE
from cdp.core.output_capture import captured_output
from cdp.core.warehouse_lock import warehouse_lock
from cdp.ingestion.working_folder import dlt_working_folder
from cdp.privacy.erasure import (
    anonymized_tables_selector,
    erase_from_pipelines,
    erase_from_published,
    erase_from_received_files,
    erase_from_warehouse,
    load_erased_values,
    own_identifiers,
    redact_files,
    redact_sqlite,
    rewrite_database,
    suppression_hashes,
    tables_mentioning,
)
from cdp.privacy.mentions import Mentions, mentions_of
from cdp.privacy.policy import PolicyError, load_policy
from cdp.privacy.store import (
    PrivacyRequest,
    PrivacySaltMissing,
    PrivacyStore,
    privacy_salt,
    selector_hash,
)
from cdp.privacy.subjects import (
    Subject,
    describe_subject,
    matching_customers,
    matching_retired_records,
)
from cdp.publishing.publish import MANIFEST, versions_folder
from cdp.publishing.release import publish_everywhere
from cdp.publishing.roles import role_published_path
from cdp.publishing.serving import ServingError, publish_serving, serving_url
from cdp.settings import RunPaths, current_settings, default_dagster_home
from cdp.transformation.night_inputs import forget_publications, require_restaging

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


class RequestProgress(Protocol):
    """Told as a request goes: whoever shows it prints a line at a time."""

    def started(self, request: PrivacyRequest, subject: Subject, resumed: bool) -> None: ...

    def step_done(self, step: str, places: dict[str, int]) -> None: ...


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
    # erase and restrict: step -> place -> rows or files (erase --dry-run: what it would do)
    steps: dict[str, dict[str, int]] = field(default_factory=dict)
    resumed: bool = False  # an interrupted request, finished now


def _subject(connection: duckdb.DuckDBPyConnection, selector: Selector,
             confirmed: bool) -> Subject:
    customers = matching_customers(connection, **selector.as_arguments())
    # Records a deletion list retired belong to no customer, yet still name the person.
    retired = matching_retired_records(connection, **selector.as_arguments())
    subject = describe_subject(connection, customers, retired)
    if len(customers) > 1 and not confirmed:
        raise NeedsConfirmation(subject)
    return subject


def _new_request(kind: str, selector: Selector, requested_by: str, reason: str,
                 salt: str) -> PrivacyRequest:
    return PrivacyRequest(kind=kind, requested_by=requested_by, reason=reason,
                          selector=selector.kind,
                          selector_hash=selector_hash(salt, selector.kind, selector.value))


def _refuse_if_empty(store: PrivacyStore, request: PrivacyRequest, subject: Subject) -> None:
    if not subject.records:
        request.outcome, request.detail = "no match", "no customer carries what was named"
        store.record(request)
        raise NothingMatches("no customer carries what the request names")


# An erasure's steps, in the order they run; each is idempotent, and the journal records each
# one done, so a rerun after an interruption does what is left. The person's data goes from
# every place first; then the models are rebuilt, the file rewritten and BI republished.
ERASE_STEPS = ("suppression list", "warehouse", "published versions", "dlt packages",
               "upload files", "received chat", "reports and logs", "dagster storage", "models",
               "database file", "published now", "serving database")
# Steps a night that finishes an interrupted erasure leaves to itself: it builds the models
# and publishes anyway.
_NIGHT_STEPS = frozenset({"models", "published now", "serving database"})
LEFT_TO_THE_NIGHT = "left to the night's own build and publish"


@dataclass(frozen=True)
class ErasurePlan:
    """What an erasure acts on, journaled before it acts (the privacy store's `pending/`)."""

    request: PrivacyRequest
    subject: Subject
    own: list[tuple[str, str]]  # the person's identifiers no one else carries
    delivered: list[tuple[str, str]]  # forms of them a delivery may have written to a file

    @property
    def mentions(self) -> Mentions:
        return mentions_of(self.subject, self.own)

    def to_json(self) -> dict:
        request = asdict(self.request)
        return {"request": request, "subject": asdict(self.subject),
                "own": self.own, "delivered": self.delivered}

    @classmethod
    def from_json(cls, plan: dict) -> "ErasurePlan":
        request = dict(plan["request"])
        request["requested_at"] = datetime.fromisoformat(request["requested_at"])
        subject = plan["subject"]
        return cls(
            request=PrivacyRequest(**request),
            subject=Subject(customer_ids=subject["customer_ids"],
                            records=[tuple(record) for record in subject["records"]],
                            identifiers=[tuple(pair) for pair in subject["identifiers"]],
                            names=subject["names"]),
            own=[tuple(pair) for pair in plan["own"]],
            delivered=[tuple(pair) for pair in plan["delivered"]])


def erase(settings: RunPaths, selector: Selector, requested_by: str, reason: str,
          confirmed: bool = False, dry_run: bool = False,
          progress: RequestProgress | None = None) -> RequestResult:
    """Erase the person everywhere; with `dry_run`, only count what would be removed where
    (nothing is changed or recorded)."""
    warehouse = Path(settings.warehouse)
    store = PrivacyStore(warehouse)
    salt = privacy_salt(create=True) if not dry_run else _existing_salt()
    request = _new_request("erase", selector, requested_by, reason, salt)
    with warehouse_lock(warehouse, purpose="cdp privacy erase"):
        with duckdb.connect(str(warehouse), read_only=dry_run) as connection:
            subject = _subject(connection, selector, confirmed)
            if dry_run:
                if not subject.records:
                    raise NothingMatches("no customer carries what the request names")
                own = own_identifiers(connection, subject)
                plan = ErasurePlan(request, subject, own,
                                   delivered_identifiers_of(connection, subject.customer_ids))
                return RequestResult(request, subject,
                                     steps=_erasure_preview(connection, settings, plan))
            _refuse_if_empty(store, request, subject)
            plan = ErasurePlan(request, subject, own_identifiers(connection, subject),
                               delivered_identifiers_of(connection, subject.customer_ids))
        # Journaled before anything is touched: from here on, a rerun finishes it.
        store.begin(request.request_id, "erase", plan.to_json())
        return _carry_out_erasure(settings, store, plan, salt, steps_done={}, progress=progress)


def finish_interrupted(settings: RunPaths, during_night: bool = False,
                       progress: RequestProgress | None = None) -> list[RequestResult]:
    """Finish every request an interruption left under way (the caller holds the warehouse
    lock). `during_night`: the night's own build and publish stand in for the request's."""
    store = PrivacyStore(Path(settings.warehouse))
    finished = []
    for _request_id, kind, plan, steps_done in store.pending():
        if kind != "erase":
            continue
        salt = privacy_salt()
        if during_night:
            steps_done = {**steps_done, **{step: {LEFT_TO_THE_NIGHT: 0}
                                           for step in _NIGHT_STEPS if step not in steps_done}}
        finished.append(_carry_out_erasure(settings, store, ErasurePlan.from_json(plan), salt,
                                           steps_done, resumed=True, progress=progress))
    return finished


def _carry_out_erasure(settings: RunPaths, store: PrivacyStore, plan: ErasurePlan,
                       salt: str, steps_done: dict[str, dict], resumed: bool = False,
                       progress: RequestProgress | None = None) -> RequestResult:
    warehouse = Path(settings.warehouse)
    request, subject = plan.request, plan.subject
    mentions = plan.mentions
    results: dict[str, dict[str, int]] = dict(steps_done)
    notes: list[str] = []
    models_rebuilt = "models" not in steps_done or not steps_done["models"].get("failed")

    def suppression_list() -> dict[str, int]:
        added = store.suppress(suppression_hashes(salt, subject, plan.own), request.request_id)
        store.forget_restrictions(subject.record_keys)
        return {"identifiers suppressed at ingestion": added}

    def warehouse_rows() -> dict[str, int]:
        with duckdb.connect(str(warehouse)) as connection:
            connection.execute("begin")
            owed = owe_removals_of_erased(connection, subject.customer_ids,
                                          set(mentions.exact))
            removed = erase_from_warehouse(connection, subject, mentions, salt,
                                           kept_until_notified=frozenset({ERASED_REMOVALS_TABLE}))
            # Raw rows deleted (which the incremental models see: their rows' counts and
            # checksums change) and sales anonymized in place (which models reading only new
            # loads would not): whichever build comes next (this request's, or the night's if
            # it is interrupted) restages those from all of history.
            require_restaging(connection, anonymized_tables_selector(subject),
                              "an erasure rewrote raw rows in place")
            forget_publications(connection)
            connection.execute("commit")
        if owed:
            removed[f"{ERASED_REMOVALS_TABLE} (owed, sent by the next delivery)"] = owed
        return removed

    def published_versions() -> dict[str, int]:
        removed = {}
        published = Path(settings.published_warehouse).resolve()
        for role in sorted({"admin", *load_policy().roles}):
            removed.update({f"{role} {name}": count for name, count in erase_from_published(
                versions_folder(role_published_path(published, role)), mentions,
                MANIFEST).items()})
        return removed

    def upload_files() -> dict[str, int]:
        removed = erase_from_upload_files(settings.activation_dir, plan.own + plan.delivered,
                                          subject.customer_ids)
        # A destination's local copies, should a killed delivery have left one (HubSpot's dlt
        # working folder: emails in it).
        from cdp.activation.destinations.registry import DESTINATIONS

        for destination in DESTINATIONS.values():
            for folder in destination.local_copies(warehouse):
                if folder.exists():
                    shutil.rmtree(folder)
                    removed[f"{destination.name} dlt folder"] = 1
        return removed

    def reports_and_logs() -> dict[str, int]:
        removed = {}
        for label, folder in (("reports", Path(settings.reports_dir)),
                              ("logs", settings.logs_dir)):
            removed.update({f"{label}/{name}": count
                            for name, count in redact_files(folder, mentions).items()})
        return removed

    def models() -> dict[str, int]:
        nonlocal models_rebuilt
        # Incremental, after restaging what the anonymized sales changed (warehouse_rows).
        failure = _rebuild_models(warehouse, settings.logs_dir / f"{request.request_id}.log")
        models_rebuilt = failure is None
        if failure:
            notes.append(f"models not rebuilt ({failure}): the next night builds them")
            return {"failed": 1}
        return {}

    def published_now() -> dict[str, int]:
        if not models_rebuilt:
            return {}
        release = publish_everywhere(warehouse, Path(settings.published_warehouse),
                                     load_policy(), salt, request.request_id,
                                     settings.published_versions_kept)
        return {f"{role} version {version.version}": sum(version.tables.values())
                for role, version in {"admin": release.full, **release.roles}.items()}

    def serving_database() -> dict[str, int]:
        if not serving_url():
            return {"none configured": 0}
        notes.extend(_republish_serving(warehouse, salt) if models_rebuilt else [])
        return {}

    actions = {
        "suppression list": suppression_list,
        "warehouse": warehouse_rows,
        "published versions": published_versions,
        "dlt packages": lambda: erase_from_pipelines(dlt_working_folder(warehouse)),
        "upload files": upload_files,
        "received chat": lambda: erase_from_received_files(settings.exports_dir, mentions),
        "reports and logs": reports_and_logs,
        "dagster storage": lambda: redact_sqlite(dagster_home_of(warehouse), mentions),
        "models": models,
        "database file": lambda: rewrite_database(warehouse) or {},
        "published now": published_now,
        "serving database": serving_database,
    }
    if progress:
        progress.started(request, subject, resumed)
    for step in ERASE_STEPS:
        if step not in steps_done:
            results[step] = actions[step]()
            store.step_done(request.request_id, step, results[step])
        if progress:
            progress.step_done(step, results[step])
    request.customers_matched = len(subject.customer_ids)
    request.records_matched = len(subject.records)
    request.removed = {f"{step}: {place}": count for step, places in results.items()
                       for place, count in places.items()}
    request.detail = "; ".join(notes)
    store.record(request)
    return RequestResult(request, subject, notes=notes, steps=results, resumed=resumed)


def _erasure_preview(connection: duckdb.DuckDBPyConnection, settings: RunPaths,
                     plan: ErasurePlan) -> dict[str, dict[str, int]]:
    """What `erase` would remove, per step and place, touching nothing."""
    warehouse = Path(settings.warehouse)
    mentions = plan.mentions
    published = Path(settings.published_warehouse).resolve()
    preview = {
        "warehouse": erase_from_warehouse(
            connection, plan.subject, mentions, salt="",
            kept_until_notified=frozenset({ERASED_REMOVALS_TABLE}), dry_run=True),
        "published versions": {},
        "upload files": erase_from_upload_files(settings.activation_dir,
                                                plan.own + plan.delivered,
                                                plan.subject.customer_ids, dry_run=True),
        "received chat": erase_from_received_files(settings.exports_dir, mentions,
                                                   dry_run=True),
        "reports and logs": {},
        "dagster storage": redact_sqlite(dagster_home_of(warehouse), mentions, dry_run=True),
    }
    for role in sorted({"admin", *load_policy().roles}):
        preview["published versions"].update({
            f"{role} {name}": count for name, count in erase_from_published(
                versions_folder(role_published_path(published, role)), mentions, MANIFEST,
                dry_run=True).items()})
    for label, folder in (("reports", Path(settings.reports_dir)), ("logs", settings.logs_dir)):
        preview["reports and logs"].update({
            f"{label}/{name}": count
            for name, count in redact_files(folder, mentions, dry_run=True).items()})
    return preview


def _existing_salt() -> str:
    """A preview hashes nothing it keeps: no salt is created for it."""
    try:
        return privacy_salt()
    except PrivacySaltMissing:
        return ""


def dagster_home_of(warehouse: Path) -> Path:
    return current_settings().paths.dagster_home or default_dagster_home(warehouse)


def export(settings: RunPaths, selector: Selector, requested_by: str, reason: str,
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


def restrict(settings: RunPaths, selector: Selector, requested_by: str, reason: str,
             confirmed: bool = False, progress: RequestProgress | None = None) -> RequestResult:
    """Record the restriction, then apply it now: the warehouse's copy of the restricted
    records (which the models read) is rewritten from the store, the models rebuilt and every
    published file republished. Recorded before it acts: once in the store, the restriction
    holds for every later build, so an interruption leaves only the republishing to the next
    night."""
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
        request.customers_matched = len(subject.customer_ids)
        request.records_matched = len(subject.records)
        request.removed = {}
        store.record(request)
        sync_restrictions(warehouse, store)
        steps: dict[str, dict[str, int]] = {
            "restricted records": {"records restricted": len(subject.records)}}
        if progress:
            progress.started(request, subject, False)
            progress.step_done("restricted records", steps["restricted records"])
        failure = _rebuild_models(warehouse, settings.logs_dir / f"{request.request_id}.log")
        steps["models"] = {"failed": 1} if failure else {}
        if progress:
            progress.step_done("models", steps["models"])
        if failure:
            notes.append(f"models not rebuilt ({failure}): the next night builds and "
                         "publishes them")
        else:
            release = publish_everywhere(warehouse, Path(settings.published_warehouse),
                                         load_policy(), salt, request.request_id,
                                         settings.published_versions_kept)
            steps["published now"] = {
                f"{role} version {version.version}": sum(version.tables.values())
                for role, version in {"admin": release.full, **release.roles}.items()}
            if progress:
                progress.step_done("published now", steps["published now"])
            notes += _republish_serving(warehouse, salt)
    return RequestResult(request, subject, notes=notes, steps=steps)


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


def _rebuild_models(warehouse: Path, log_file: Path) -> str | None:
    """dbt build after a request changed the warehouse, its output in `log_file`; returns why
    it failed, or None. A failure is a note, not an error: the request's own work is done, and
    the next nightly run builds the models again."""
    from cdp.transformation.dbt_runner import DbtBuildFailed, dbt_build

    # Raw rows changed in place (anonymized sales), which the inputs' fingerprint cannot see:
    # the next night builds, whatever it brings.
    with duckdb.connect(str(warehouse)) as connection:
        forget_publications(connection)
    try:
        with captured_output(log_file):
            dbt_build(warehouse)
    except DbtBuildFailed as failure:
        return " ".join(str(failure).split())[:200]
    return None


def _cell(value) -> str:
    if value is None:
        return ""
    if isinstance(value, dict | list):
        return json.dumps(value, ensure_ascii=False, default=str)
    return str(value)
