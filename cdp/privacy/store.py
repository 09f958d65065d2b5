"""The privacy store: the audit of every request and the suppression list, in their own DuckDB
file beside the warehouse (`<warehouse dir>/privacy/privacy.duckdb`), outside the erasable data.

The audit and the suppression list are append-only: this module only ever inserts. A request
row says who asked, when, what matched (counts, and the selector only as a salted hash) and
what was removed per place; the suppression list holds salted hashes of an erased person's
identifiers.

The journal of requests under way is a JSON file per request in `pending/` beside the store
(mode 0600): written before a request acts, with what it acts on (the person's records and
identifiers: the one place here that names anyone) and the steps done so far, so an
interrupted request (a `kill -9`, a full disk) is finished by the next `cdp privacy` command or
night. It is a file rather than a table so that finishing leaves no copy behind: a DuckDB file
keeps deleted rows in its free blocks; the file is deleted once the audit holds the request.
"""

import json
import os
import secrets
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

import duckdb
from pydantic import SecretStr

from cdp.core.identifiers import salted_hash
from cdp.settings import current_settings, use_settings

if TYPE_CHECKING:
    from cdp.ingestion.suppression import Suppression

SALT_VARIABLE = "CDP_PRIVACY_SALT"
SECRETS_FILE = Path(".dlt") / "secrets.toml"


class PrivacySaltMissing(RuntimeError):
    """No salt to hash identifiers with; the message says where to put one."""


def privacy_folder(warehouse: Path) -> Path:
    return warehouse.resolve().parent / "privacy"


def store_path(warehouse: Path) -> Path:
    return privacy_folder(warehouse) / "privacy.duckdb"


def privacy_salt(create: bool = False) -> str:
    """The secret the suppression list is salted with: CDP_PRIVACY_SALT, else `[privacy] salt`
    in .dlt/secrets.toml. With `create`, a new one is written to .dlt/secrets.toml (mode 0600)
    when neither exists: without it the list could not be matched, so it is kept with the
    other credentials, never beside the hashes."""
    settings = current_settings()
    if settings.privacy.salt:
        return settings.privacy.salt.get_secret_value()
    if not create:
        raise PrivacySaltMissing(
            f"no privacy salt: set {SALT_VARIABLE} or `salt` under [privacy] in "
            f"{SECRETS_FILE}")
    salt = secrets.token_hex(32)
    SECRETS_FILE.parent.mkdir(parents=True, exist_ok=True)
    with SECRETS_FILE.open("a", encoding="utf-8") as handle:
        handle.write(f'\n[privacy]\n# Salts the suppression list of erased people: keep it, '
                     f'and back it up.\nsalt = "{salt}"\n')
    SECRETS_FILE.chmod(0o600)
    # This process goes on with the new salt, as a later one will read it from the file.
    use_settings(settings.model_copy(update={
        "privacy": settings.privacy.model_copy(update={"salt": SecretStr(salt)})}))
    return salt


@dataclass
class PrivacyRequest:
    kind: str  # erase | export | restrict
    requested_by: str
    reason: str
    selector: str  # "email", "phone", "customer_id" or "record": what the request named
    selector_hash: str  # salted hash of the value named: the audit names nobody
    request_id: str = field(default_factory=lambda: f"req_{uuid.uuid4().hex[:16]}")
    requested_at: datetime = field(default_factory=lambda: datetime.now(UTC))
    customers_matched: int = 0
    records_matched: int = 0
    removed: dict[str, int] = field(default_factory=dict)  # place -> rows or files
    outcome: str = "done"  # done | refused | failed
    detail: str = ""


_SCHEMA = """
create table if not exists privacy_requests (
    request_id varchar primary key,
    kind varchar not null,
    requested_at timestamptz not null,
    requested_by varchar not null,
    reason varchar not null,
    selector varchar not null,
    selector_hash varchar not null,
    customers_matched integer not null,
    records_matched integer not null,
    removed json not null,
    outcome varchar not null,
    detail varchar not null
);
create table if not exists suppressed_identifiers (
    identifier_hash varchar not null,
    kind varchar not null,
    request_id varchar not null,
    added_at timestamptz not null
);
create table if not exists restricted_records (
    record_key varchar not null,
    request_id varchar not null,
    restricted_at timestamptz not null
);
"""


class PrivacyStore:
    """Append-only access to the privacy store of one warehouse."""

    def __init__(self, warehouse: Path):
        self.path = store_path(warehouse)

    def _connect(self, read_only: bool = False) -> duckdb.DuckDBPyConnection:
        if read_only and not self.path.exists():
            return duckdb.connect()  # nothing recorded yet: an empty store
        self.path.parent.mkdir(parents=True, exist_ok=True)
        connection = duckdb.connect(str(self.path), read_only=read_only)
        if not read_only:
            connection.execute(_SCHEMA)
        return connection

    def record(self, request: PrivacyRequest) -> None:
        """The request into the audit; then its journal, if any, is deleted."""
        with self._connect() as connection:
            connection.execute(
                "insert into privacy_requests values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                [request.request_id, request.kind, request.requested_at, request.requested_by,
                 request.reason, request.selector, request.selector_hash,
                 request.customers_matched, request.records_matched,
                 json.dumps(request.removed, sort_keys=True), request.outcome, request.detail])
        self._journal(request.request_id).unlink(missing_ok=True)

    @property
    def journal_folder(self) -> Path:
        return self.path.parent / "pending"

    def _journal(self, request_id: str) -> Path:
        return self.journal_folder / f"{request_id}.json"

    def begin(self, request_id: str, kind: str, plan: dict) -> None:
        """Journal a request before it acts: `plan` is everything needed to finish it."""
        self._write_journal(request_id, {"kind": kind, "started_at": datetime.now(UTC),
                                         "plan": plan, "steps_done": {}})

    def step_done(self, request_id: str, step: str, result: dict) -> None:
        """One step of a pending request finished, with what it did (place -> count)."""
        journal = json.loads(self._journal(request_id).read_text(encoding="utf-8"))
        journal["steps_done"][step] = result
        self._write_journal(request_id, journal)

    def pending(self) -> list[tuple[str, str, dict, dict]]:
        """(request id, kind, plan, steps done) of every request under way, oldest first. A
        journal whose request the audit already holds (interrupted between the two) goes."""
        if not self.journal_folder.exists():
            return []
        with self._connect() as connection:  # a request killed early may predate the store
            recorded = {row[0] for row in connection.execute(
                "select request_id from privacy_requests").fetchall()}
        journals = []
        for path in sorted(self.journal_folder.glob("req_*.json")):
            if path.stem in recorded:
                path.unlink(missing_ok=True)
                continue
            journal = json.loads(path.read_text(encoding="utf-8"))
            journals.append((journal["started_at"], path.stem, journal["kind"],
                             journal["plan"], journal["steps_done"]))
        return [journal[1:] for journal in sorted(journals)]

    def _write_journal(self, request_id: str, journal: dict) -> None:
        self.journal_folder.mkdir(parents=True, exist_ok=True, mode=0o700)
        path = self._journal(request_id)
        staged = path.with_name(f".{path.name}.writing")
        handle = os.open(staged, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(handle, "w", encoding="utf-8") as out:
            json.dump(journal, out, default=str)
            out.flush()
            os.fsync(out.fileno())
        os.replace(staged, path)

    def suppress(self, hashes: dict[str, str], request_id: str) -> int:
        """Add hash -> kind pairs not listed yet; returns how many were new."""
        now = datetime.now(UTC)
        with self._connect() as connection:
            known = {row[0] for row in connection.execute(
                "select identifier_hash from suppressed_identifiers").fetchall()}
            new = [(value, kind, request_id, now) for value, kind in sorted(hashes.items())
                   if value not in known]
            if new:
                connection.executemany(
                    "insert into suppressed_identifiers values (?, ?, ?, ?)", new)
        return len(new)

    def restrict(self, record_keys: list[str], request_id: str) -> None:
        now = datetime.now(UTC)
        with self._connect() as connection:
            connection.executemany("insert into restricted_records values (?, ?, ?)",
                                   [(key, request_id, now) for key in sorted(record_keys)])

    def forget_restrictions(self, record_keys: list[str]) -> None:
        """An erased person's records leave the restricted list too: the list is data about
        them. (The request log keeps no record keys.)"""
        if not self.path.exists() or not record_keys:
            return
        with self._connect() as connection:
            connection.executemany("delete from restricted_records where record_key = ?",
                                   [(key,) for key in record_keys])

    def suppression(self) -> "Suppression | None":
        """What ingestion drops: None while nobody was erased (no salt needed until then)."""
        from cdp.ingestion.suppression import Suppression

        hashes = self.suppressed_hashes()
        return Suppression(privacy_salt(), frozenset(hashes)) if hashes else None

    def suppressed_hashes(self) -> set[str]:
        if not self.path.exists():
            return set()
        with self._connect(read_only=True) as connection:
            return {row[0] for row in connection.execute(
                "select identifier_hash from suppressed_identifiers").fetchall()}

    def restricted_record_keys(self) -> list[tuple[str, str, datetime]]:
        if not self.path.exists():
            return []
        with self._connect(read_only=True) as connection:
            return connection.execute(
                "select record_key, request_id, restricted_at from restricted_records "
                "order by restricted_at, record_key").fetchall()

    def requests(self) -> list[dict]:
        if not self.path.exists():
            return []
        with self._connect(read_only=True) as connection:
            cursor = connection.execute("select * from privacy_requests order by requested_at")
            names = [column[0] for column in cursor.description]
            return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]


def selector_hash(salt: str, selector: str, value: str) -> str:
    return salted_hash(salt, f"selector:{selector}", value.strip().lower())
