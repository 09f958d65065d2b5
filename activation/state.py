"""What each destination holds: tonight's changes in, delivered changes recorded.

`marts.audience_changes` lists, per destination and audience, the adds and removes against
`activation.delivered_audience_members`, the record of every destination's last successful
delivery. A delivery records only what the destination confirmed: what failed stays a change
and is sent again on the next delivery, and what succeeded is never sent twice.
"""

from dataclasses import dataclass
from pathlib import Path

import duckdb
import pyarrow as pa

STATE_TABLE = "activation.delivered_audience_members"
# Before a first delivery nothing is recorded: every remove is pending, no add is done.
_NO_STATE = ("(select cast(null as varchar) as destination, cast(null as varchar) as "
             "audience_name, cast(null as varchar) as customer_id where false)")


@dataclass(frozen=True)
class Change:
    audience_name: str
    change: str  # "add" or "remove"
    customer_id: str
    email: str | None
    phone: str | None


def pending_changes(warehouse: Path, destination: str) -> dict[str, list[Change]]:
    """Tonight's changes for one destination, per audience (removes first), less those a
    delivery since the build already made: a retried delivery resends only what failed."""
    with duckdb.connect(str(warehouse), read_only=True) as connection:
        state = STATE_TABLE if _state_exists(connection) else _NO_STATE
        rows = connection.execute(f"""
            select changes.audience_name, changes.change, changes.customer_id, changes.email,
                changes.phone
            from marts.audience_changes as changes
            left join {state} as state
                on state.destination = changes.destination
                and state.audience_name = changes.audience_name
                and state.customer_id = changes.customer_id
            where changes.destination = ?
                and ((changes.change = 'add' and state.customer_id is null)
                    or (changes.change = 'remove' and state.customer_id is not null))
            order by changes.audience_name, changes.change desc, changes.customer_id
        """, [destination]).fetchall()
    changes: dict[str, list[Change]] = {}
    for row in rows:
        changes.setdefault(row[0], []).append(Change(*row))
    return changes


def _state_exists(connection: duckdb.DuckDBPyConnection) -> bool:
    return bool(connection.execute(
        "select count(*) from information_schema.tables "
        "where table_schema = 'activation' and table_name = 'delivered_audience_members'"
    ).fetchone()[0])


def record_delivered(warehouse: Path, destination: str, delivered: list[Change],
                     run_id: str) -> None:
    """Apply changes the destination confirmed to its record, in one transaction."""
    with duckdb.connect(str(warehouse)) as connection:
        connection.execute("create schema if not exists activation")
        connection.execute(f"""
            create table if not exists {STATE_TABLE} (
                destination varchar not null, audience_name varchar not null,
                customer_id varchar not null, email varchar, phone varchar,
                delivered_at timestamp with time zone not null, run_id varchar,
                primary key (destination, audience_name, customer_id))""")
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
        connection.execute("commit")


def delivered_members(warehouse: Path, destination: str, audience_name: str) -> set[str]:
    """The customers a destination holds of an audience, by its record."""
    with duckdb.connect(str(warehouse), read_only=True) as connection:
        if not _state_exists(connection):
            return set()
        return {customer_id for (customer_id,) in connection.execute(
            f"select customer_id from {STATE_TABLE} where destination = ? and audience_name = ?",
            [destination, audience_name]).fetchall()}


def delivery_state_token(warehouse: Path, destination: str, audience_name: str) -> str:
    """What the destination's record of an audience looks like now (rows, last delivery): the
    same for every resend of changes left undelivered, different once anything was recorded."""
    with duckdb.connect(str(warehouse), read_only=True) as connection:
        if not _state_exists(connection):
            return "none"
        rows, last = connection.execute(
            f"select count(*), max(delivered_at) from {STATE_TABLE} "
            "where destination = ? and audience_name = ?", [destination, audience_name]
        ).fetchone()
    return f"{rows}:{last}"
