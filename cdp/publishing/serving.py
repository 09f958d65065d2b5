"""Publishing to a PostgreSQL serving database, for teams that share a server
(`CDP_SERVING_URL`, or `url` under [serving] in .dlt/secrets.toml).

Layout in the serving database:

    cdp_private.<mart>      the full marts, readable only by the publishing account. Beside each
                            column some role sees hashed sits `<column>__hashed`, hashed in
                            DuckDB before it leaves: the salt never reaches the server.
    <role>.<mart>           one schema per role of the privacy policy, a view per mart it may
                            read: contact data masked as the policy says (hashes, initials,
                            columns left out), rows filtered for roles that see consenting
                            customers only (security_barrier views)
    <role>.cdp_publication  the version, run and time the views show
    cdp_<role>              a group role: USAGE on schema <role> and SELECT on its views, and
                            nothing on any other schema. The logins listed under the role's
                            `logins` in the policy are made its members (and only those).

The swap is atomic: a night's marts are loaded into schema `cdp_loading`; then one
transaction moves `cdp_private` aside, renames `cdp_loading` into its place, points every view
at the new tables and drops the old ones. A reader sees the old version or the new one, never a
mix, and no reader's query is ever cancelled for it. A reader's open transaction delays the
swap at most CDP_SERVING_LOCK_TIMEOUT seconds (60): then the publish fails and the old version
stays.

The publishing account owns these schemas and needs CREATEROLE (for the group roles).
"""

import re
import tempfile
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import duckdb
import psycopg
from psycopg import sql

from cdp.privacy.policy import Policy
from cdp.privacy.roles import (
    HASHED,
    INITIALS,
    column_treatments,
    consenting_customers_sql,
    hashed_sql,
    initials_sql,
    rows_filter,
)
from cdp.publishing.publish import mart_names
from cdp.settings import current_settings

SERVING_URL_VARIABLE = "CDP_SERVING_URL"
PRIVATE, LOADING, RETIRED = "cdp_private", "cdp_loading", "cdp_retired"
PUBLICATION = "cdp_publication"
_MANAGED = "managed by cdp: the views of one role of the privacy policy"
_HASHED_SUFFIX = "__hashed"


class ServingError(RuntimeError):
    """The serving database could not be published; the message names the cause (never the
    connection URL, which holds a password)."""


@dataclass
class ServedVersion:
    version: str
    tables: dict[str, int]  # mart -> rows
    roles: dict[str, list[str]]  # role -> the marts its schema shows
    notes: list[str] = field(default_factory=list)  # e.g. a listed login that does not exist


def serving_url() -> str | None:
    """The serving database's URL, or None when the deployment has none."""
    url = current_settings().publishing.serving_url
    return url.get_secret_value() if url else None


def group_role(role: str) -> str:
    return f"cdp_{role}"


def publish_serving(url: str, warehouse: Path, policy: Policy, salt: str,
                    run_id: str = "manual") -> ServedVersion:
    """Load the warehouse's marts into the serving database and swap them in."""
    version = f"{datetime.now(UTC):%Y%m%dT%H%M%S%fZ}-{run_id[:8]}"
    try:
        with psycopg.connect(url, autocommit=True) as connection:
            tables, columns = _load(connection, warehouse, policy, salt)
            served = ServedVersion(version, tables, {})
            _swap(connection, policy, columns, served, run_id)
    except psycopg.Error as error:
        cause = str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
        raise ServingError(f"the serving database was not published: {cause}") from None
    return served


# --- loading -----------------------------------------------------------------------------

def _load(connection: psycopg.Connection, warehouse: Path, policy: Policy,
          salt: str) -> tuple[dict[str, int], dict[str, list[tuple[str, str]]]]:
    """Every mart into `cdp_loading`, with the hashed companions the roles need. Returns the
    rows and the DuckDB columns of each mart."""
    connection.execute(sql.SQL("drop schema if exists {} cascade").format(
        sql.Identifier(LOADING)))
    connection.execute(sql.SQL("create schema {}").format(sql.Identifier(LOADING)))
    connection.execute(sql.SQL("revoke all on schema {} from public").format(
        sql.Identifier(LOADING)))
    tables, all_columns = {}, {}
    with duckdb.connect() as duck, tempfile.TemporaryDirectory(prefix="cdp-serving-") as scratch:
        duck.execute("set TimeZone = 'UTC'")
        duck.execute(f"attach '{_quoted(warehouse.resolve())}' as working (read_only)")
        for name in mart_names(duck, "working"):
            relation = f'working.marts."{name}"'
            columns = [(row[0], row[1]) for row in duck.execute(f"describe {relation}").fetchall()]
            all_columns[name] = columns
            hashed = sorted({column for role in policy.roles.values() if role.reads(name)
                             for column, treatment in column_treatments(
                                 role, columns, _category_of(policy, name))
                             if treatment == HASHED})
            selects = [_exported(column, data_type) for column, data_type in columns]
            selects += [f'{hashed_sql(_ident(column), salt)} as "{column}{_HASHED_SUFFIX}"'
                        for column in hashed]
            definitions = [sql.SQL("{} {}").format(sql.Identifier(column),
                                                   sql.SQL(_postgres_type(data_type)))
                           for column, data_type in columns]
            definitions += [sql.SQL("{} text").format(sql.Identifier(column + _HASHED_SUFFIX))
                            for column in hashed]
            connection.execute(sql.SQL("create table {}.{} ({})").format(
                sql.Identifier(LOADING), sql.Identifier(name), sql.SQL(", ").join(definitions)))
            csv_file = Path(scratch) / f"{name}.csv"
            # FORCE_QUOTE: an empty string arrives quoted, a NULL unquoted, as COPY tells them.
            duck.execute(f"copy (select {', '.join(selects)} from {relation}) "
                         f"to '{_quoted(csv_file)}' (header false, force_quote *)")
            with connection.cursor() as cursor, csv_file.open("rb") as source:
                with cursor.copy(sql.SQL("copy {}.{} from stdin (format csv)").format(
                        sql.Identifier(LOADING), sql.Identifier(name))) as copy:
                    while block := source.read(1 << 20):
                        copy.write(block)
                tables[name] = cursor.rowcount
            csv_file.unlink()
            connection.execute(sql.SQL("analyze {}.{}").format(sql.Identifier(LOADING),
                                                               sql.Identifier(name)))
    return tables, all_columns


def _category_of(policy: Policy, table: str):
    return lambda column: policy.category_of(f"marts.{table}", column)


def _exported(column: str, data_type: str) -> str:
    """The DuckDB expression writing a column as PostgreSQL reads its type from CSV."""
    quoted = _ident(column)
    if _is_nested(data_type) or data_type == "JSON":
        return f"to_json({quoted})::varchar as {quoted}"
    if data_type == "BLOB":
        return f"'\\x' || hex({quoted}) as {quoted}"
    return quoted


def _is_nested(data_type: str) -> bool:
    return data_type.endswith("]") or data_type.startswith(("STRUCT", "MAP", "UNION"))


_SCALAR_TYPES = {
    "VARCHAR": "text", "BOOLEAN": "boolean", "TINYINT": "smallint", "SMALLINT": "smallint",
    "INTEGER": "integer", "BIGINT": "bigint", "HUGEINT": "numeric", "UTINYINT": "smallint",
    "USMALLINT": "integer", "UINTEGER": "bigint", "UBIGINT": "numeric", "UHUGEINT": "numeric",
    "FLOAT": "real", "DOUBLE": "double precision", "DATE": "date", "TIME": "time",
    "TIMESTAMP": "timestamp", "TIMESTAMP_NS": "timestamp", "TIMESTAMP_MS": "timestamp",
    "TIMESTAMP_S": "timestamp", "TIMESTAMP WITH TIME ZONE": "timestamptz",
    "INTERVAL": "interval", "UUID": "uuid", "BLOB": "bytea", "JSON": "jsonb",
}


def _postgres_type(data_type: str) -> str:
    if _is_nested(data_type):
        return "jsonb"
    if data_type.startswith("DECIMAL"):
        return data_type.replace("DECIMAL", "numeric")
    return _SCALAR_TYPES.get(data_type, "text")


# --- the swap ----------------------------------------------------------------------------

def _swap(connection: psycopg.Connection, policy: Policy,
          columns: dict[str, list[tuple[str, str]]], served: ServedVersion, run_id: str) -> None:
    """The swap, in one transaction that first takes every lock it needs at once.

    Why all at once, and briefly: a reader's query locks the views it reads one after another,
    so a swap that locked them one by one could wait on a reader that waits on it. Each try
    waits at most 100 ms and under half PostgreSQL's deadlock check (1 s by default), so when
    the two cross it is the swap that steps back (and tries again), never the reader's query."""
    patience = current_settings().publishing.serving_lock_timeout
    deadline = time.monotonic() + patience
    existing_logins = {row[0] for row in connection.execute(
        "select rolname from pg_roles where rolcanlogin").fetchall()}
    # The server's own deadlock check, which a deployment may have changed from 1 s.
    deadlock_check_ms = connection.execute(
        "select setting::int from pg_settings where name = 'deadlock_timeout'").fetchone()[0]
    try_ms = max(1, min(100, deadlock_check_ms // 2))
    while True:
        try:
            with connection.transaction():
                connection.execute(f"set local lock_timeout = '{try_ms}ms'")
                _lock_what_readers_read(connection)
                _swap_locked(connection, policy, columns, served, run_id, existing_logins)
            return
        except psycopg.errors.LockNotAvailable:
            if time.monotonic() > deadline:
                raise ServingError(
                    f"the serving database was not published: readers held its tables for "
                    f"more than {patience:g} s (CDP_SERVING_LOCK_TIMEOUT); the previous "
                    "version stays") from None
            served.notes.clear()
            time.sleep(0.05)


def _lock_what_readers_read(connection: psycopg.Connection) -> None:
    relations = connection.execute("""
        select format('%%I.%%I', namespace.nspname, class.relname)
        from pg_class as class
        join pg_namespace as namespace on namespace.oid = class.relnamespace
        where class.relkind in ('r', 'v')
            and (namespace.nspname = %s
                 or obj_description(namespace.oid, 'pg_namespace') = %s)
        order by 1""", [PRIVATE, _MANAGED]).fetchall()
    if relations:
        connection.execute(sql.SQL("lock table {} in access exclusive mode").format(
            sql.SQL(", ").join(sql.SQL(name) for (name,) in relations)))


def _swap_locked(connection: psycopg.Connection, policy: Policy,
                 columns: dict[str, list[tuple[str, str]]], served: ServedVersion, run_id: str,
                 existing_logins: set[str]) -> None:
    connection.execute(sql.SQL("drop schema if exists {} cascade").format(
        sql.Identifier(RETIRED)))
    if _schema_exists(connection, PRIVATE):
        connection.execute(sql.SQL("alter schema {} rename to {}").format(
            sql.Identifier(PRIVATE), sql.Identifier(RETIRED)))
    connection.execute(sql.SQL("alter schema {} rename to {}").format(
        sql.Identifier(LOADING), sql.Identifier(PRIVATE)))
    connection.execute(sql.SQL("create table {}.{} as select {} as version, {} as run_id, "
                               "now() as published_at").format(
        sql.Identifier(PRIVATE), sql.Identifier(PUBLICATION), sql.Literal(served.version),
        sql.Literal(run_id)))
    consenting = consenting_customers_sql(f'{PRIVATE}."customer_consents"')
    for role in policy.roles.values():
        served.roles[role.name] = _publish_role(connection, role, policy, columns, consenting)
        served.notes += _grant_logins(connection, role.name, role.logins, existing_logins)
    for (schema,) in connection.execute(
            "select nspname from pg_namespace "
            "where obj_description(oid, 'pg_namespace') = %s", [_MANAGED]).fetchall():
        if schema not in policy.roles:  # a role taken out of the policy
            connection.execute(sql.SQL("drop schema {} cascade").format(sql.Identifier(schema)))
    connection.execute(sql.SQL("drop schema if exists {} cascade").format(
        sql.Identifier(RETIRED)))


def _publish_role(connection: psycopg.Connection, role, policy: Policy,
                  columns: dict[str, list[tuple[str, str]]], consenting: str) -> list[str]:
    schema, group = sql.Identifier(role.name), sql.Identifier(group_role(role.name))
    if not connection.execute("select 1 from pg_roles where rolname = %s",
                              [group_role(role.name)]).fetchone():
        connection.execute(sql.SQL("create role {} nologin").format(group))
    connection.execute(sql.SQL("create schema if not exists {}").format(schema))
    connection.execute(sql.SQL("comment on schema {} is {}").format(schema,
                                                                     sql.Literal(_MANAGED)))
    connection.execute(sql.SQL("revoke all on schema {} from public").format(schema))
    connection.execute(sql.SQL("grant usage on schema {} to {}").format(schema, group))
    wanted = {PUBLICATION: sql.SQL("select * from {}.{}").format(
        sql.Identifier(PRIVATE), sql.Identifier(PUBLICATION))}
    for name, mart_columns in columns.items():
        if not role.reads(name):
            continue
        expressions = []
        for column, treatment in column_treatments(role, mart_columns,
                                                   _category_of(policy, name)):
            if treatment == INITIALS:
                expressions.append(f"{initials_sql(_ident(column))} as {_ident(column)}")
            elif treatment == HASHED:
                expressions.append(f"{_ident(column + _HASHED_SUFFIX)} as {_ident(column)}")
            else:
                expressions.append(_ident(column))
        where = rows_filter(role, mart_columns, f"({consenting}) as consenting")
        wanted[name] = sql.SQL(f"select {', '.join(expressions)} "
                               f"from {_ident(PRIVATE)}.{_ident(name)}{where}")
    present = {row[0] for row in connection.execute(
        "select table_name from information_schema.views where table_schema = %s",
        [role.name]).fetchall()}
    for name in present - set(wanted):
        connection.execute(sql.SQL("drop view {}.{} cascade").format(schema, sql.Identifier(name)))
    for name, query in wanted.items():
        view = sql.SQL("{}.{}").format(schema, sql.Identifier(name))
        # Replaced in place where the columns allow it, so objects built on a view survive
        # the night; a view whose columns changed is dropped and made again.
        try:
            with connection.transaction():
                connection.execute(sql.SQL(
                    "create or replace view {} with (security_barrier) as {}").format(view, query))
        except psycopg.errors.InvalidTableDefinition:
            connection.execute(sql.SQL("drop view {} cascade").format(view))
            connection.execute(sql.SQL("create view {} with (security_barrier) as {}").format(
                view, query))
        connection.execute(sql.SQL("grant select on {} to {}").format(view, group))
    return sorted(set(wanted) - {PUBLICATION})


def _grant_logins(connection: psycopg.Connection, role: str, logins: tuple[str, ...],
                  existing: set[str]) -> list[str]:
    """Make exactly `logins` members of the role's group; report listed logins that do not
    exist (the database's administrator creates logins and their passwords)."""
    group = group_role(role)
    notes = []
    members = {row[0] for row in connection.execute("""
        select member.rolname from pg_auth_members
        join pg_roles as grp on grp.oid = pg_auth_members.roleid
        join pg_roles as member on member.oid = pg_auth_members.member
        where grp.rolname = %s and member.rolcanlogin""", [group]).fetchall()}
    for login in sorted(set(logins) - members):
        if login in existing:
            connection.execute(sql.SQL("grant {} to {}").format(
                sql.Identifier(group), sql.Identifier(login)))
        else:
            notes.append(f"role {role}: login {login} does not exist in the serving database")
    for login in sorted(members - set(logins)):
        connection.execute(sql.SQL("revoke {} from {}").format(
            sql.Identifier(group), sql.Identifier(login)))
    return notes


def _schema_exists(connection: psycopg.Connection, schema: str) -> bool:
    return connection.execute("select 1 from pg_namespace where nspname = %s",
                              [schema]).fetchone() is not None


def _ident(name: str) -> str:
    if not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", name):
        raise ServingError(f"a mart or column name the serving database cannot take: {name!r}")
    return f'"{name}"'


def _quoted(path: Path) -> str:
    return str(path).replace("'", "''")
