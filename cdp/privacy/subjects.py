"""Who a request is about: the customers it names, through the identity graph, and everything
the warehouse knows identifies them (records, identifiers, names as written)."""

from collections.abc import Callable
from dataclasses import dataclass, field

import duckdb

from cdp.core.identifiers import email_key, email_key_sql, phone_key, phone_key_sql
from cdp.sources.registry import enabled_sources
from cdp.sources.source import StagedRecords


def _staged(with_deletions: bool = False) -> list[tuple[str, StagedRecords]]:
    """Where each enabled source stages its records (names as people wrote them, identifiers):
    only those with deletion lists, whose retired records left identity resolution, if asked."""
    return [(source.system, staged) for source in enabled_sources()
            for staged in source.staged_records
            if source.deletion_specs or not with_deletions]


def _exists(connection: duckdb.DuckDBPyConnection, schema: str, table: str) -> bool:
    return bool(connection.execute(
        "select count(*) from information_schema.tables where table_schema = ? "
        "and table_name = ? and table_catalog = current_database()", [schema, table]
    ).fetchone()[0])


class RequestNotUnderstood(ValueError):
    """The request names nothing the product can look up; the message says why."""


@dataclass
class Subject:
    """One data subject as the warehouse holds them: one or more customers (a request that
    matches several is shown before anything is done)."""

    customer_ids: list[str]
    records: list[tuple[str, str]] = field(default_factory=list)  # (source, record_id)
    identifiers: list[tuple[str, str]] = field(default_factory=list)  # (type, value)
    names: list[str] = field(default_factory=list)  # as written in the records

    @property
    def record_keys(self) -> list[str]:
        return [f"{source}:{record_id}" for source, record_id in self.records]


def _identifier_condition(identifier_type: str, key: str | None, key_sql: Callable[[str], str],
                          not_understood: str) -> tuple[str, str]:
    """The condition (and its parameter) on `int_identifiers_unioned` rows (as `identifiers`) of
    `identifier_type` whose key is `key`; `not_understood` if the request's value has none."""
    if key is None:
        raise RequestNotUnderstood(not_understood)
    return (f"identifiers.identifier_type = '{identifier_type}' and "
            f"{key_sql('identifiers.identifier_value')} = ?", key)


def matching_customers(connection: duckdb.DuckDBPyConnection, *, email: str | None = None,
                       phone: str | None = None, customer_id: str | None = None,
                       record: str | None = None) -> list[str]:
    """Customers a request names (exactly one selector is given)."""
    if email is not None:
        condition, value = _identifier_condition("email", email_key(email), email_key_sql,
                                                 "--email is not an email address")
    elif phone is not None:
        condition, value = _identifier_condition("phone", phone_key(phone), phone_key_sql,
                                                 "--phone has fewer than 9 digits")
    elif customer_id is not None:
        return [row[0] for row in connection.execute("""
            select distinct customer_id from intermediate.int_records_clustered
            where customer_id = ?
            union
            select distinct clustered.customer_id
            from intermediate.int_customer_id_history as history
            inner join intermediate.int_records_clustered as clustered using (record_key)
            where history.customer_id = ?
            order by 1""", [customer_id, customer_id]).fetchall()]
    elif record is not None:
        source, separator, record_id = record.partition(":")
        if not separator or not record_id:
            raise RequestNotUnderstood("--record must be <source>:<id>, e.g. crm:10000001")
        return [row[0] for row in connection.execute("""
            select distinct customer_id from intermediate.int_records_clustered
            where source = ? and record_id = ? order by 1""", [source, record_id]).fetchall()]
    else:
        raise RequestNotUnderstood("name the person: --email, --phone, --customer-id or --record")
    return [row[0] for row in connection.execute(f"""
        select distinct clustered.customer_id
        from intermediate.int_identifiers_unioned as identifiers
        inner join intermediate.int_records_clustered as clustered using (record_key)
        where {condition}
        order by 1""", [value]).fetchall()]


def matching_retired_records(connection: duckdb.DuckDBPyConnection, *,
                             email: str | None = None, phone: str | None = None,
                             customer_id: str | None = None,
                             record: str | None = None) -> list[tuple[str, str]]:
    """Records a request names that a deletion list retired (`marts.retired_records`): they
    belong to no customer any more, yet their raw versions still name the person."""
    if customer_id is not None or not _exists(connection, "marts", "retired_records"):
        return []
    if record is not None:
        source, _, record_id = record.partition(":")
        return connection.execute(
            "select source, record_id from marts.retired_records "
            "where source = ? and record_id = ? order by 1, 2", [source, record_id]).fetchall()
    kind, value = ("email", email_key(email)) if email is not None else (
        "phone", phone_key(phone or ""))
    key_sql = email_key_sql if kind == "email" else phone_key_sql
    selects = []
    for system, staged in _staged(with_deletions=True):
        columns = [column for of_kind, column in staged.identifiers if of_kind == kind]
        if not columns:
            continue
        keys = ", ".join(key_sql(f"staged.{column}") for column in columns)
        selects.append(f"""
            select retired.source, retired.record_id
            from marts.retired_records as retired
            inner join {staged.relation} as staged
                on retired.source = '{system}' and staged.{staged.id_column} = retired.record_id
            where $value in ({keys})""")
    if not selects:
        return []
    return connection.execute(
        f"select distinct * from ({' union all '.join(selects)}) order by 1, 2",
        {"value": value}).fetchall()


def describe_subject(connection: duckdb.DuckDBPyConnection, customer_ids: list[str],
                     retired: list[tuple[str, str]] | None = None) -> Subject:
    """Every record of the customers (and the retired records named), every identifier on them
    and every name they carry."""
    subject = Subject(customer_ids=sorted(customer_ids))
    retired = sorted(retired or [])
    if not customer_ids and not retired:
        return subject
    connection.execute("create or replace temp table subject_customers (customer_id varchar)")
    if subject.customer_ids:
        connection.executemany("insert into subject_customers values (?)",
                               [(customer_id,) for customer_id in subject.customer_ids])
    connection.execute("create or replace temp table subject_records as "
                       "select source, record_id, source || ':' || record_id as record_key "
                       "from intermediate.int_records_clustered "
                       "where customer_id in (select customer_id from subject_customers)")
    if retired:
        connection.executemany("insert into subject_records values (?, ?, ?)",
                               [(source, record_id, f"{source}:{record_id}")
                                for source, record_id in retired])
    subject.records = connection.execute(
        "select distinct source, record_id from subject_records order by 1, 2").fetchall()
    identifiers = connection.execute("""
        select distinct identifier_type, identifier_value
        from intermediate.int_identifiers_unioned
        where record_key in (select record_key from subject_records)""").fetchall()
    # A retired record left identity resolution: its identifiers are read where it was staged.
    for system, staged in _staged(with_deletions=True) if retired else ():
        identifiers += connection.execute(f"""
            with retired_records as (
                select * from {staged.relation}
                where {staged.id_column} in (
                    select record_id from subject_records where source = '{system}')
            )
            {" union ".join(f"select '{kind}', {column} from retired_records "
                            f"where {column} is not null"
                            for kind, column in staged.identifiers)}
            """).fetchall()
    subject.identifiers = sorted(set(identifiers))
    names: set[str] = set()
    for source, staged in _staged():
        if staged.name_column is None:
            continue
        names |= {row[0] for row in connection.execute(f"""
            select distinct {staged.name_column} from {staged.relation}
            where {staged.id_column} in (
                select record_id from subject_records where source = '{source}')
                and nullif(trim({staged.name_column}), '') is not null""").fetchall()}
    subject.names = sorted(names)
    return subject
