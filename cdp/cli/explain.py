"""`cdp explain`: why a customer's records are together."""

import sys
from pathlib import Path

import click

from cdp.cli import options
from cdp.errors import CdpError, ExitCode


@click.command()
@click.option("--customer-id", default=None, help="A customer id (cus_…), or one merged into it.")
@click.option("--email", default=None, help="Every customer this email links or was refused on.")
@click.option("--phone", default=None, help="Every customer this phone links or was refused on.")
@click.option("--record", default=None, help="The customer of a record: <source>:<id>.")
@click.option("--limit", default=10, show_default=True, type=click.IntRange(min=1),
              help="Customers shown for an email or phone on many (the summary counts all).")
@click.option("--all", "show_all", is_flag=True, help="Show every customer, not --limit.")
@options.warehouse
@options.published
@click.option("--role", default=None,
              help="Read the role's published file (e.g. analyst: contact data masked).")
def explain(customer_id: str | None, email: str | None, phone: str | None,
            record: str | None, limit: int, show_all: bool, warehouse: Path | None,
            published: Path | None, role: str | None) -> None:
    """Why a customer's records are together, and which links were refused and why."""
    from rich.console import Console

    from cdp.identity.explain import NotExplained, published_candidates, render
    from cdp.identity.explain import explain as explain_customers

    if sum(option is not None for option in (customer_id, email, phone, record)) != 1:
        raise CdpError("give exactly one of --customer-id, --email, --phone, --record",
                       ExitCode.USAGE)
    candidates = published_candidates(published, warehouse, role)
    found = next((path for path in candidates if path.exists()), None)
    if found is None:
        raise CdpError(
            f"nothing published at {' or '.join(map(str, candidates))}: run `cdp run`, or name "
            "the working warehouse (--warehouse, CDP_WAREHOUSE) or the published file "
            "(--published, CDP_PUBLISHED_WAREHOUSE)", ExitCode.USAGE)
    try:
        explanation = explain_customers(found, customer_id, email, phone, record,
                                        limit=None if show_all else limit)
    except NotExplained as nothing:
        raise CdpError(str(nothing), ExitCode.FAILED) from None
    # Piped or redirected, nothing wraps the long reasons: keep them on one line each.
    render(explanation, Console(highlight=False, width=None if sys.stdout.isatty() else 240),
           found)
