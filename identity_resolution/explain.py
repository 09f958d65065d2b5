"""`cdp explain`: why records are one customer, and why others are not, from the published marts.

Reads `marts.customer_records`, `marts.identity_links` and `marts.identity_links_refused` of the
version BI tools read, so the answer is about what was published. An email or phone is matched
the way the models normalize it (email: trimmed, lower case, +tags and Gmail dots dropped;
phone: by its national number, however it is written).
"""

import re
from dataclasses import dataclass, field
from pathlib import Path

import duckdb

DOTLESS_EMAIL_DOMAINS = ("gmail.com", "googlemail.com")


@dataclass
class CustomerExplanation:
    customer_id: str
    records: list[tuple] = field(default_factory=list)  # (source, record_id, first, last)
    links: list[tuple] = field(default_factory=list)  # (source, record_id, type, value, rule)
    refused: list[tuple] = field(default_factory=list)  # (source, record_id, type, value, ...)


def email_key(email: str) -> str:
    address = email.strip().lower()
    local, _, domain = address.partition("@")
    local = local.split("+", 1)[0]
    if domain in DOTLESS_EMAIL_DOMAINS:
        local = local.replace(".", "")
    return f"{local}@{domain}"


def phone_digits(phone: str) -> str:
    """The national number: digits without a leading country code or trunk 0 (the last nine
    digits are compared, the length of a VN subscriber number and most others')."""
    return re.sub(r"\D", "", phone)[-9:]


def customers_for(connection: duckdb.DuckDBPyConnection, email: str | None,
                  phone: str | None) -> list[str]:
    if email:
        condition, value = "identifier_type = 'email' and identifier_value = ?", email_key(email)
    else:
        condition, value = ("identifier_type = 'phone' and right(identifier_value, 9) = ?",
                            phone_digits(phone or ""))
    rows = connection.execute(f"""
        select distinct customer_id from (
            select customer_id, identifier_type, identifier_value from marts.identity_links
            union all
            select customer_id, identifier_type, identifier_value
            from marts.identity_links_refused
        ) where {condition} order by customer_id""", [value]).fetchall()
    return [row[0] for row in rows]


def explain_customer(connection: duckdb.DuckDBPyConnection,
                     customer_id: str) -> CustomerExplanation | None:
    records = connection.execute("""
        select source, record_id, first_seen_at, last_seen_at from marts.customer_records
        where customer_id = ? order by first_seen_at nulls last, source, record_id
    """, [customer_id]).fetchall()
    if not records:
        return None
    links = connection.execute("""
        select source, record_id, identifier_type, identifier_value, link_rule
        from marts.identity_links
        where customer_id = ?
            and identifier_type not in ('anonymous_id', 'crm_contact_id', 'lead_id')
        order by identifier_type, identifier_value, source, record_id
    """, [customer_id]).fetchall()
    refused = connection.execute("""
        select refused.source, refused.record_id, refused.identifier_type,
            refused.identifier_value, refused.refusal, refused.reason,
            (select count(distinct others.customer_id) from marts.identity_links as others
             where others.identifier_type = refused.identifier_type
                and others.identifier_value = refused.identifier_value
                and others.customer_id <> refused.customer_id) as other_customers
        from marts.identity_links_refused as refused
        where refused.customer_id = ?
        order by refused.identifier_type, refused.identifier_value, refused.source,
            refused.record_id
    """, [customer_id]).fetchall()
    return CustomerExplanation(customer_id, records, links, refused)


def explain(published: Path, customer_id: str | None = None, email: str | None = None,
            phone: str | None = None) -> list[CustomerExplanation]:
    with duckdb.connect(str(published), read_only=True) as connection:
        customer_ids = [customer_id] if customer_id else customers_for(connection, email, phone)
        found = [explain_customer(connection, customer) for customer in customer_ids]
    return [explanation for explanation in found if explanation]


def render(explanations: list[CustomerExplanation], console) -> None:
    """Print each customer: records, the links that joined them, the links refused."""
    from rich.table import Table

    for explanation in explanations:
        sources = {}
        for source, *_ in explanation.records:
            sources[source] = sources.get(source, 0) + 1
        console.print(f"[bold]{explanation.customer_id}[/bold] — {len(explanation.records)} "
                      f"records ({', '.join(f'{n} {s}' for s, n in sorted(sources.items()))})")
        records = Table("source", "record", "first seen", "last seen", box=None)
        for source, record_id, first, last in explanation.records:
            records.add_row(source, record_id, str(first or ""), str(last or ""))
        console.print(records)
        if explanation.links:
            console.print("Joined through (records that share a value are one customer):")
            links = Table("identifier", "record", "how", box=None)
            for source, record_id, identifier_type, value, rule in explanation.links:
                links.add_row(f"{identifier_type} {value}", f"{source}:{record_id}", rule)
            console.print(links)
        if explanation.refused:
            console.print("Not joined through:")
            refused = Table("identifier", "record", "refused", "why", box=None)
            for source, record_id, identifier_type, value, refusal, reason, others \
                    in explanation.refused:
                elsewhere = f" (also on {others} other customers)" if others else ""
                refused.add_row(f"{identifier_type} {value}", f"{source}:{record_id}",
                                refusal, reason + elsewhere)
            console.print(refused)
        console.print()
