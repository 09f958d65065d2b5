"""What each destination holds: tonight's changes in, delivered changes recorded.

`marts.audience_changes` lists, per destination and audience, the adds and removes against
`activation.delivered_audience_members`, the record of every destination's last successful
delivery. A delivery records only what the destination confirmed: what failed stays a change
and is sent again on the next delivery, and what succeeded is never sent twice.

An erased person leaves the warehouse, and with them every row that would compute their removal.
`cdp privacy erase` therefore moves their rows of the record into
`activation.erased_member_removals` (cdp/activation/erasure.py): the one copy of what each
destination was given, kept only until that destination confirms the removal (the recipients of
personal data must be told of its erasure), never in the marts.
"""

from dataclasses import dataclass
from pathlib import Path

import duckdb
import pyarrow as pa

STATE_TABLE = "activation.delivered_audience_members"
ERASED_REMOVALS_TABLE = "activation.erased_member_removals"
# Per destination and audience, how many deliveries have changed its record: never goes back,
# so an audience that empties and fills again is never at a version it had before.
VERSIONS_TABLE = "activation.delivery_record_versions"
# Before a first delivery nothing is recorded: every remove is pending, no add is done.
_NO_STATE = ("(select cast(null as varchar) as destination, cast(null as varchar) as "
             "audience_name, cast(null as varchar) as customer_id, cast(null as varchar) as "
             "email, cast(null as varchar) as phone where false)")


@dataclass(frozen=True)
class Change:
    audience_name: str
    change: str  # "add" or "remove"
    customer_id: str
    email: str | None
    phone: str | None
    erased: bool = False  # a removal owed since the person's erasure


def pending_changes(warehouse: Path, destination: str) -> dict[str, list[Change]]:
    """Tonight's changes for one destination, per audience (removes first), less those a
    delivery since the build already made: a retried delivery resends only what failed; and the
    removals owed to it for people erased since it last held them."""
    with duckdb.connect(str(warehouse), read_only=True) as connection:
        state = STATE_TABLE if table_exists(connection, STATE_TABLE) else _NO_STATE
        erased = (f"""
            union all
            select audience_name, 'remove', customer_id, email, phone, true
            from {ERASED_REMOVALS_TABLE} where destination = $destination"""
                  if table_exists(connection, ERASED_REMOVALS_TABLE) else "")
        rows = connection.execute(f"""
            select changes.audience_name, changes.change, changes.customer_id, changes.email,
                changes.phone, false
            from marts.audience_changes as changes
            left join {state} as state
                on state.destination = changes.destination
                and state.audience_name = changes.audience_name
                and state.customer_id = changes.customer_id
            where changes.destination = $destination
                -- still as the build found it: an add not held as sent, a remove still held
                and (changes.change = 'add') = (state.customer_id is null
                    or state.email is distinct from changes.email
                    or state.phone is distinct from changes.phone)
            {erased}
            order by 1, 2 desc, 3
        """, {"destination": destination}).fetchall()
    changes: dict[str, list[Change]] = {}
    for row in rows:
        changes.setdefault(row[0], []).append(Change(*row))
    return changes


def table_exists(connection: duckdb.DuckDBPyConnection, relation: str) -> bool:
    schema, table = relation.split(".")
    return bool(connection.execute(
        "select count(*) from information_schema.tables "
        "where table_schema = ? and table_name = ? and table_catalog = current_database()",
        [schema, table]).fetchone()[0])


def create_state_tables(connection: duckdb.DuckDBPyConnection) -> None:
    """The delivery record and the removals owed since erasures, created together so the data
    map lists both from the first delivery on."""
    connection.execute("create schema if not exists activation")
    connection.execute(f"""
        create table if not exists {STATE_TABLE} (
            destination varchar not null, audience_name varchar not null,
            customer_id varchar not null, email varchar, phone varchar,
            delivered_at timestamp with time zone not null, run_id varchar,
            primary key (destination, audience_name, customer_id))""")
    connection.execute(f"""
        create table if not exists {ERASED_REMOVALS_TABLE} (
            destination varchar not null, audience_name varchar not null,
            customer_id varchar not null, email varchar, phone varchar,
            erased_at timestamp with time zone not null,
            primary key (destination, audience_name, customer_id))""")
    connection.execute(f"""
        create table if not exists {VERSIONS_TABLE} (
            destination varchar not null, audience_name varchar not null,
            version bigint not null, primary key (destination, audience_name))""")


def record_delivered(warehouse: Path, destination: str, delivered: list[Change],
                     run_id: str) -> None:
    """Apply changes the destination confirmed to its record, in one transaction."""
    with duckdb.connect(str(warehouse)) as connection:
        create_state_tables(connection)
        connection.register("delivered_now", pa.table({
            "audience_name": [change.audience_name for change in delivered],
            "change": [change.change for change in delivered],
            "customer_id": [change.customer_id for change in delivered],
            "email": pa.array([change.email for change in delivered], pa.string()),
            "phone": pa.array([change.phone for change in delivered], pa.string()),
        }))
        connection.execute("begin")
        connection.execute(f"""
            delete from {STATE_TABLE} as state using delivered_now
            where state.destination = ? and state.audience_name = delivered_now.audience_name
                and state.customer_id = delivered_now.customer_id""", [destination])
        connection.execute(f"""
            insert into {STATE_TABLE}
            select ?, audience_name, customer_id, email, phone, now(), ?
            from delivered_now where change = 'add'""", [destination, run_id])
        connection.execute(f"""
            delete from {ERASED_REMOVALS_TABLE} as owed using delivered_now
            where owed.destination = ? and owed.audience_name = delivered_now.audience_name
                and owed.customer_id = delivered_now.customer_id
                and delivered_now.change = 'remove'""", [destination])  # their last copy goes
        connection.execute(f"""
            insert into {VERSIONS_TABLE}
            select distinct ?, audience_name, 1 from delivered_now
            on conflict (destination, audience_name) do update set version = version + 1
            """, [destination])
        connection.execute("commit")


def delivered_members(warehouse: Path, destination: str, audience_name: str) -> set[str]:
    """The customers a destination holds of an audience, by its record."""
    with duckdb.connect(str(warehouse), read_only=True) as connection:
        if not table_exists(connection, STATE_TABLE):
            return set()
        return {customer_id for (customer_id,) in connection.execute(
            f"select customer_id from {STATE_TABLE} where destination = ? and audience_name = ?",
            [destination, audience_name]).fetchall()}


def delivery_state_token(warehouse: Path, destination: str, audience_name: str) -> str:
    """The version of the destination's record of an audience now: the same for every resend of
    changes left undelivered, different once anything was recorded."""
    with duckdb.connect(str(warehouse), read_only=True) as connection:
        if not table_exists(connection, VERSIONS_TABLE):
            return "0"
        found = connection.execute(
            f"select version from {VERSIONS_TABLE} where destination = ? and audience_name = ?",
            [destination, audience_name]).fetchone()
    return str(found[0]) if found else "0"


def record_versions(warehouse: Path, destination: str) -> dict[str, str]:
    """Per audience, the version of the destination's record when tonight's changes were built
    (marts.audience_changes): unlike the record's version now, the same through every retry of
    the night, so a batch resent after a retry keeps its idempotency key."""
    with duckdb.connect(str(warehouse), read_only=True) as connection:
        return dict(connection.execute(
            "select distinct audience_name, delivery_record_version from marts.audience_changes "
            "where destination = ?", [destination]).fetchall())


def owed_erased_removals(warehouse: Path, destination: str) -> int:
    """Removals of erased people the destination has not confirmed yet."""
    with duckdb.connect(str(warehouse), read_only=True) as connection:
        if not table_exists(connection, ERASED_REMOVALS_TABLE):
            return 0
        return connection.execute(f"select count(*) from {ERASED_REMOVALS_TABLE} "
                                  "where destination = ?", [destination]).fetchone()[0]
