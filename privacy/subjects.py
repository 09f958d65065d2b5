"""Who a request is about: the customers it names, through the identity graph, and everything
the warehouse knows identifies them (records, identifiers, names as written)."""

from dataclasses import dataclass, field

import duckdb

from privacy.identifiers import email_key, email_key_sql, phone_key, phone_key_sql

# Where each source's records keep a name as people wrote it.
_NAMES_BY_SOURCE = {
    "crm": ("staging.stg_crm__contacts", "contact_id", "full_name"),
    "social": ("staging.stg_social__leads", "lead_id", "full_name"),
    "pos": ("staging.stg_pos__orders", "order_id", "billing_name"),
    "website": ("staging.stg_website__events", "anonymous_id", "traits_name"),
}


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


def matching_customers(connection: duckdb.DuckDBPyConnection, *, email: str | None = None,
                       phone: str | None = None, customer_id: str | None = None,
                       record: str | None = None) -> list[str]:
    """Customers a request names (exactly one selector is given)."""
    if email is not None:
        key = email_key(email)
        if key is None:
            raise RequestNotUnderstood("--email is not an email address")
        condition, value = (f"identifiers.identifier_type = 'email' and "
                            f"{email_key_sql('identifiers.identifier_value')} = ?", key)
    elif phone is not None:
        key = phone_key(phone)
        if key is None:
            raise RequestNotUnderstood("--phone has fewer than 9 digits")
        condition, value = (f"identifiers.identifier_type = 'phone' and "
                            f"{phone_key_sql('identifiers.identifier_value')} = ?", key)
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


def describe_subject(connection: duckdb.DuckDBPyConnection, customer_ids: list[str]) -> Subject:
    """Every record of the customers, every identifier on them and every name they carry."""
    subject = Subject(customer_ids=sorted(customer_ids))
    if not customer_ids:
        return subject
    connection.execute("create or replace temp table subject_customers (customer_id varchar)")
    connection.executemany("insert into subject_customers values (?)",
                           [(customer_id,) for customer_id in subject.customer_ids])
    subject.records = connection.execute("""
        select source, record_id from intermediate.int_records_clustered
        where customer_id in (select customer_id from subject_customers)
        order by source, record_id""").fetchall()
    connection.execute("create or replace temp table subject_records as "
                       "select source, record_id, source || ':' || record_id as record_key "
                       "from intermediate.int_records_clustered "
                       "where customer_id in (select customer_id from subject_customers)")
    subject.identifiers = connection.execute("""
        select distinct identifier_type, identifier_value
        from intermediate.int_identifiers_unioned
        where record_key in (select record_key from subject_records)
        order by 1, 2""").fetchall()
    names: set[str] = set()
    for source, (relation, id_column, name_column) in _NAMES_BY_SOURCE.items():
        names |= {row[0] for row in connection.execute(f"""
            select distinct {name_column} from {relation}
            where {id_column} in (
                select record_id from subject_records where source = '{source}')
                and nullif(trim({name_column}), '') is not null""").fetchall()}
    subject.names = sorted(names)
    return subject
