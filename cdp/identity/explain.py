"""`cdp explain`: why records are one customer, and why others are not, from the published marts.

Reads a published file, so the answer is about what BI tools read: `marts.customer_records`
(each record and the name it gives), `marts.identity_links` (the emails and phones a record
carries and the links they made), `marts.identity_links_refused`, `marts.identity_exclusions`
and the golden record in `marts.customers`. A role's file that masks contact data answers
masked, as it holds them: names as initials, emails and phones as hashes (look such a value up by
its hash). An email or phone is matched by the key the product uses everywhere
(cdp/core/identifiers.py: an email folded, a phone by its last nine digits).

The answer comes from a handful of set-based queries whatever the number of customers: a
store's phone on a thousand customers costs what one customer does.
"""

import re
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

import duckdb

from cdp.core.identifiers import email_key, email_key_sql, phone_key, phone_key_sql

# Where the CLI, `cdp run` and `./dev setup` build by default, relative to the current folder.
DEFAULT_WAREHOUSE = Path("warehouse/cdp.duckdb")
# This checkout's own warehouse: `dagster dev` and `./dev setup` build there, whatever folder
# explain is run from.
REPOSITORY_WAREHOUSE = Path(__file__).resolve().parents[2] / DEFAULT_WAREHOUSE
CONTACT_TYPES = ("email", "phone")
# Links of a record to its own id say nothing about why records are together.
OWN_ID_TYPES = ("anonymous_id", "crm_contact_id", "lead_id")
_HASH = re.compile(r"[0-9a-f]{64}")
_HASH_PREFIX = re.compile(r"[0-9a-f]{12,64}")


class NotExplained(Exception):
    """Nothing to explain, and why (the message is one line for the user)."""


def published_beside(warehouse: Path) -> Path:
    """The published file of a working warehouse: `<its folder>/published/<its name>` (the
    rule of cdp.settings.default_published, which imports Dagster)."""
    return warehouse.parent / "published" / warehouse.name


def role_file(published: Path, role: str | None) -> Path:
    """A role's file beside the full one (`cdp_analyst.duckdb`); the full one is admin's."""
    if role is None or role == "admin":
        return published
    return published.with_name(f"{published.stem}_{role}{published.suffix}")


def published_candidates(published: Path | None, warehouse: Path | None,
                         role: str | None = None) -> list[Path]:
    """Where the published file may be, in order: the file named, else the one beside the
    warehouse named, else beside `warehouse/cdp.duckdb` here, then beside this checkout's."""
    if published is not None:
        candidates = [published]
    elif warehouse is not None:
        candidates = [published_beside(warehouse)]
    else:
        candidates = [published_beside(Path.cwd() / DEFAULT_WAREHOUSE),
                      published_beside(REPOSITORY_WAREHOUSE)]
    found = []
    for candidate in candidates:
        path = role_file(candidate.expanduser().absolute(), role)
        if path not in found:
            found.append(path)
    return found


@dataclass
class Record:
    source: str
    record_id: str
    name: str | None
    first_seen_at: datetime | None
    last_seen_at: datetime | None
    emails: list[str] = field(default_factory=list)
    phones: list[str] = field(default_factory=list)


@dataclass
class Link:
    source: str
    record_id: str
    identifier_type: str
    value: str
    rule: str


@dataclass
class Refusal:
    source: str
    record_id: str
    identifier_type: str
    value: str
    refusal: str
    reason: str
    other_customers: int  # other customers carrying the same value, linked or not


@dataclass
class CustomerExplanation:
    customer_id: str
    name: str | None  # the golden record's
    email: str | None
    phone: str | None
    records: list[Record] = field(default_factory=list)
    links: list[Link] = field(default_factory=list)
    refused: list[Refusal] = field(default_factory=list)


@dataclass
class ValueSummary:
    """An email or phone across the customers that carry it."""

    identifier_type: str
    asked: str
    values: list[str]  # the stored values matched (a phone may be written several ways)
    customers: int
    records: int
    links_made: int
    refused: dict[str, int]  # refusal -> records
    exclusion: str | None  # why it links nobody (marts.identity_exclusions), if it does not


@dataclass
class Explanation:
    customers: list[CustomerExplanation]  # the ones shown, in order
    customers_total: int
    summary: ValueSummary | None = None
    note: str | None = None  # how the request was read (a merged id, …)
    masked: bool = False
    has_names: bool = True  # False: published before records carried names
    version: str | None = None


def explain(published: Path, customer_id: str | None = None, email: str | None = None,
            phone: str | None = None, record: str | None = None,
            limit: int | None = 10) -> Explanation:
    """Explain one customer (by id or record) or every customer an email or phone is on,
    showing the first `limit` (None: all)."""
    try:
        connection = duckdb.connect(str(published), read_only=True)
    except duckdb.Error as error:
        raise NotExplained(f"cannot read {published}: {error}") from None
    with connection:
        _require_identity_marts(connection, published)
        masked = _is_masked(connection)
        summary, note = None, None
        if customer_id is not None:
            customer_ids, note = _customer_by_id(connection, customer_id)
        elif record is not None:
            customer_ids = _customer_of_record(connection, record)
        else:
            identifier_type, asked = ("email", email) if email is not None else ("phone", phone)
            customer_ids, summary = _customers_on_value(connection, identifier_type, asked or "",
                                                        masked)
        if not customer_ids:
            raise NotExplained(_nothing_found(customer_id, record, masked))
        has_names = _has_names(connection)
        shown = customer_ids if limit is None else customer_ids[:limit]
        customers = _explain_customers(connection, shown, has_names)
        return Explanation(customers, len(customer_ids), summary, note, masked, has_names,
                           _version(connection))


def _require_identity_marts(connection: duckdb.DuckDBPyConnection, published: Path) -> None:
    present = {row[0] for row in connection.execute(
        "select table_name from information_schema.tables where table_schema = 'marts'"
    ).fetchall()}
    missing = sorted({"customers", "customer_records", "identity_links",
                      "identity_links_refused", "identity_exclusions"} - present)
    if missing:
        raise NotExplained(f"{published} holds no {', '.join(f'marts.{m}' for m in missing)}"
                           " (a role that does not read the identity marts?): use the admin "
                           "or analyst file")


def _is_masked(connection: duckdb.DuckDBPyConnection) -> bool:
    """A role's file that masks contact data holds emails and phones as hashes."""
    row = connection.execute("""
        select identifier_value from marts.identity_links
        where identifier_type in ('email', 'phone') limit 1""").fetchone()
    return bool(row and _HASH.fullmatch(row[0]))


def _has_names(connection: duckdb.DuckDBPyConnection) -> bool:
    return connection.execute("""
        select count(*) from information_schema.columns where table_schema = 'marts'
            and table_name = 'customer_records' and column_name = 'full_name'""").fetchone()[0] > 0


def _version(connection: duckdb.DuckDBPyConnection) -> str | None:
    try:
        return connection.execute("select version from cdp_meta.publication").fetchone()[0]
    except duckdb.Error:  # the working warehouse's marts, read directly
        return None


def _literal(value: str) -> str:
    """A SQL string literal. Values are written into the SQL rather than bound: binding any
    parameter makes DuckDB's Python client import pandas, a second and a half of the answer."""
    return "'" + value.replace("'", "''") + "'"


def _in(values: list[str]) -> str:
    return f"({', '.join(map(_literal, values))})" if values else "(null)"


def _customer_by_id(connection: duckdb.DuckDBPyConnection,
                    customer_id: str) -> tuple[list[str], str | None]:
    found = connection.execute(f"""
        select customer_id from marts.customers
        where customer_id = {_literal(customer_id)}""").fetchall()
    if found:
        return [customer_id], None
    merged = connection.execute(f"""
        select surviving_customer_id, merged_at from marts.customer_merges
        where merged_customer_id = {_literal(customer_id)}
        order by merged_at desc limit 1""").fetchone()
    if merged:
        return [merged[0]], f"{customer_id} was merged into {merged[0]} ({_when(merged[1])})"
    return [], None


def _customer_of_record(connection: duckdb.DuckDBPyConnection, record: str) -> list[str]:
    source, separator, record_id = record.partition(":")
    if not separator or not record_id:
        raise NotExplained("--record is <source>:<id> as exported, e.g. pos:#1042 or crm:5531")
    return [row[0] for row in connection.execute(f"""
        select customer_id from marts.customer_records
        where source = {_literal(source)} and record_id = {_literal(record_id)}""").fetchall()]


def _value_condition(identifier_type: str, asked: str, masked: bool) -> str:
    """SQL condition on identifier_type and identifier_value matching the value asked."""
    typed = f"identifier_type = '{identifier_type}'"
    if masked:
        # A masked file holds hashes: the user copies the one explain shows (a prefix will do).
        prefix = asked.strip().lower().rstrip("…")
        if not _HASH_PREFIX.fullmatch(prefix):
            raise NotExplained(
                f"this file masks emails and phones: give --{identifier_type} the hash explain "
                "shows for it (12 characters are enough), or --customer-id, or use the admin file")
        return f"{typed} and starts_with(identifier_value, {_literal(prefix)})"
    if identifier_type == "email":
        key = email_key(asked)
        if key is None:
            raise NotExplained("--email is not an email address")
        return f"{typed} and {email_key_sql('identifier_value')} = {_literal(key)}"
    key = phone_key(asked)
    if key is None:
        raise NotExplained("--phone has fewer than 9 digits")
    return f"{typed} and {phone_key_sql('identifier_value')} = {_literal(key)}"


def _customers_on_value(connection: duckdb.DuckDBPyConnection, identifier_type: str,
                        asked: str, masked: bool) -> tuple[list[str], ValueSummary | None]:
    """Every customer the value is on, linked or refused, in the order shown: those it joins
    first, then those with the most records carrying it."""
    condition = _value_condition(identifier_type, asked, masked)
    rows = connection.execute(f"""
        select customer_id, source, record_id, identifier_value, null as refusal
        from marts.identity_links where {condition}
        union all
        select customer_id, source, record_id, identifier_value, refusal
        from marts.identity_links_refused where {condition}
    """).fetchall()
    if not rows:
        return [], None
    records: dict[str, set] = {}
    linked: set[str] = set()
    for customer, source, record_id, _, refusal in rows:
        records.setdefault(customer, set()).add((source, record_id))
        if refusal is None:
            linked.add(customer)
    values = sorted({row[3] for row in rows})
    exclusions = connection.execute(f"""
        select distinct reason from marts.identity_exclusions
        where identifier_type = '{identifier_type}' and identifier_value in {_in(values)}
        order by reason""").fetchall()
    summary = ValueSummary(
        identifier_type, asked, values, len(records),
        len({(source, record_id) for _, source, record_id, _, _ in rows}),
        sum(refusal is None for *_, refusal in rows),
        dict(Counter(refusal for *_, refusal in rows if refusal is not None).most_common()),
        "; ".join(reason for (reason,) in exclusions) or None)
    order = sorted(records, key=lambda customer: (customer not in linked,
                                                  -len(records[customer]), customer))
    return order, summary


def _explain_customers(connection: duckdb.DuckDBPyConnection, customer_ids: list[str],
                       has_names: bool) -> list[CustomerExplanation]:
    """Records, links and refusals of these customers, in four queries."""
    chosen = f"customer_id in {_in(customer_ids)}"
    name = "full_name" if has_names else "null"
    explanations = {
        customer: CustomerExplanation(customer, name_, email, phone)
        for customer, name_, email, phone in connection.execute(f"""
            select customer_id, full_name, email, phone from marts.customers
            where {chosen}""").fetchall()
    }
    by_record: dict[tuple[str, str, str], Record] = {}
    for customer, source, record_id, written, first, last in connection.execute(f"""
            select customer_id, source, record_id, {name}, first_seen_at, last_seen_at
            from marts.customer_records where {chosen}
            order by first_seen_at nulls last, source, record_id""").fetchall():
        record = Record(source, record_id, written, first, last)
        by_record[customer, source, record_id] = record
        if customer in explanations:
            explanations[customer].records.append(record)
    for customer, source, record_id, identifier_type, value, rule in connection.execute(f"""
            select customer_id, source, record_id, identifier_type, identifier_value, link_rule
            from marts.identity_links where {chosen}
            order by identifier_type, identifier_value, source, record_id""").fetchall():
        _note_contact(by_record.get((customer, source, record_id)), identifier_type, value)
        if identifier_type not in OWN_ID_TYPES and customer in explanations:
            explanations[customer].links.append(
                Link(source, record_id, identifier_type, value, rule))
    for row in connection.execute(f"""
            with refused as (
                select * from marts.identity_links_refused where {chosen}
            ),

            refused_values as (
                select distinct identifier_type, identifier_value from refused
            ),

            carriers as (
                select identifier_type, identifier_value, customer_id
                from marts.identity_links
                inner join refused_values using (identifier_type, identifier_value)
                union
                select identifier_type, identifier_value, customer_id
                from marts.identity_links_refused
                inner join refused_values using (identifier_type, identifier_value)
            )

            select refused.customer_id, refused.source, refused.record_id,
                refused.identifier_type, refused.identifier_value, refused.refusal,
                refused.reason,
                (select count(*) from carriers
                 where carriers.identifier_type = refused.identifier_type
                    and carriers.identifier_value = refused.identifier_value
                    and carriers.customer_id <> refused.customer_id) as other_customers
            from refused
            order by refused.identifier_type, refused.identifier_value, refused.source,
                refused.record_id""").fetchall():
        customer, source, record_id, identifier_type, value = row[:5]
        _note_contact(by_record.get((customer, source, record_id)), identifier_type, value)
        if customer in explanations:
            explanations[customer].refused.append(Refusal(source, record_id, *row[3:]))
    return [explanations[customer] for customer in customer_ids if customer in explanations]


def _note_contact(record: Record | None, identifier_type: str, value: str) -> None:
    if record is None or identifier_type not in CONTACT_TYPES:
        return
    values = record.emails if identifier_type == "email" else record.phones
    if value not in values:
        values.append(value)


def _nothing_found(customer_id: str | None, record: str | None, masked: bool) -> str:
    if customer_id is not None:
        return f"no customer {customer_id} in this version (nor merged into another)"
    if record is not None:
        return f"no record {record} in this version"
    return "no record carries that value" + (
        " (this file holds emails and phones as hashes: give the hash explain shows)"
        if masked else "")


def _when(moment: datetime | None) -> str:
    return f"{moment:%Y-%m-%d %H:%M}" if moment else ""


def shown(value: str | None) -> str:
    """A value as printed: a masked file's 64-character hash by its first 12."""
    if value and _HASH.fullmatch(value):
        return value[:12] + "…"
    return value or ""


def render(explanation: Explanation, console, published: Path) -> None:
    """The summary first, then each customer: records (name, email, phone), the links that
    joined them, the links refused; then which file and version answered."""
    from rich.table import Table

    summary = explanation.summary
    if explanation.note:
        console.print(explanation.note)
    if summary is not None:
        _render_summary(summary, explanation, console)
    for customer in explanation.customers:
        sources = Counter(record.source for record in customer.records)
        golden = " · ".join(shown(value) for value in (customer.name, customer.email,
                                                        customer.phone) if value)
        console.print(f"[bold]{customer.customer_id}[/bold] — {len(customer.records)} records "
                      f"({', '.join(f'{n} {s}' for s, n in sorted(sources.items()))})"
                      + (f" · {golden}" if golden else ""))
        records = Table("source", "record", "name", "email", "phone", "first seen", "last seen",
                        box=None)
        for record in customer.records:
            records.add_row(record.source, shown(record.record_id), record.name or "",
                            ", ".join(map(shown, record.emails)),
                            ", ".join(map(shown, record.phones)),
                            _when(record.first_seen_at), _when(record.last_seen_at))
        console.print(records)
        if customer.links:
            console.print("Joined through (records that share a value are one customer):")
            links = Table("identifier", "record", "how", box=None)
            for link in customer.links:
                links.add_row(f"{link.identifier_type} {shown(link.value)}",
                              f"{link.source}:{shown(link.record_id)}", link.rule)
            console.print(links)
        if customer.refused:
            console.print("Not joined through:")
            refused = Table("identifier", "record", "refused", "why", box=None)
            for refusal in customer.refused:
                reason = refusal.reason
                if summary is not None and refusal.value in summary.values \
                        and summary.exclusion and refusal.refusal == "excluded":
                    reason = "see above"
                elif refusal.other_customers:
                    reason += f" (also on {refusal.other_customers} other customers)"
                refused.add_row(f"{refusal.identifier_type} {shown(refusal.value)}",
                                f"{refusal.source}:{shown(refusal.record_id)}",
                                refusal.refusal, reason)
            console.print(refused)
        console.print()
    _render_footer(explanation, console, published)


def _render_summary(summary: ValueSummary, explanation: Explanation, console) -> None:
    stored = [shown(value) for value in summary.values]
    written = f" ({', '.join(stored)})" if stored != [summary.asked] else ""
    customers = "customer" if summary.customers == 1 else "customers"
    console.print(f"[bold]{summary.identifier_type} {summary.asked}[/bold]{written}: on "
                  f"{summary.records:,} records of {summary.customers:,} {customers}")
    refused = ", ".join(f"{count:,} {refusal}" for refusal, count in summary.refused.items())
    console.print(f"  links made through it: {summary.links_made:,} · links refused: "
                  f"{refused or 'none'}")
    if summary.exclusion:
        console.print(f"  links nobody: {summary.exclusion}")
    if len(explanation.customers) < explanation.customers_total:
        console.print(f"  the first {len(explanation.customers)} of "
                      f"{explanation.customers_total:,} customers follow, those it joins "
                      "first, then by records carrying it (--limit N for more, --all for "
                      "every one)")
    console.print()


def _render_footer(explanation: Explanation, console, published: Path) -> None:
    version = f"version {explanation.version} of " if explanation.version else ""
    console.print(f"from {version}{published}", style="dim")
    if explanation.masked:
        console.print("this file masks contact data: names as initials, emails and phones as "
                      "hashes", style="dim")
    if not explanation.has_names:
        console.print("names: this version was published before records carried them; the "
                      "next `cdp run` adds them", style="dim")
