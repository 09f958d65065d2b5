"""The identity review of a run: the most suspicious customers (marts.identity_suspicious_customers)
and the fitted probabilistic model's match weights, as a section of the run's quality report.

It never blocks publishing — the blocking guards on the shape of the result are checks on
marts.customers — it tells an analyst where to look first. Customer ids and counts only: no
names or contact details leave the warehouse for the report.
"""

import html
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import duckdb

from cdp.quality.report import CheckRecord, FailedExpectation

SHOWN = 20
CHART_FILE = "match_weights.html"


@dataclass(frozen=True)
class IdentityReview:
    flagged: int  # customers with any suspicion signal
    suspects: list[tuple]  # the first SHOWN: rank, customer id, records, people, refused, prob.
    model_trained: bool
    records_compared: int
    chart_html: str  # Splink's match weights chart, standalone ("" when untrained)

    @property
    def multi_person(self) -> int:
        """Shown customers whose records carry two or more people's names."""
        return sum(1 for suspect in self.suspects if suspect[3] >= 2)

    def record(self) -> CheckRecord:
        """The review as a warning-level entry of the report: it warns when a shown customer
        holds several people's names."""
        failures = () if not self.multi_person else (FailedExpectation(
            "customers carrying two or more people's names", "people_named_count",
            self.multi_person, tuple(suspect[1] for suspect in self.suspects[:5]
                                     if suspect[3] >= 2)),)
        return CheckRecord(
            name="identity_review",
            asset="marts/identity_suspicious_customers",
            description=f"The {SHOWN} most suspicious customers and the probabilistic model's "
                        "match weights (below). Never blocks publishing.",
            blocking=False,
            passed=not self.multi_person,
            rows_checked=self.flagged,
            checked_at=datetime.now(UTC),
            failures=failures,
        )

    def section(self) -> str:
        rows = "\n".join(
            f"<tr><td class=\"number\">{rank}</td><td><code>{_text(customer_id)}</code></td>"
            f"<td class=\"number\">{records:,}</td><td class=\"number\">{people}</td>"
            f"<td class=\"number\">{refused}</td><td class=\"number\">{probabilistic}</td>"
            f"<td>{_text(reasons)}</td></tr>"
            for rank, customer_id, records, people, refused, probabilistic, reasons
            in self.suspects)
        table = f"""<table>
<thead><tr><th class="number">Rank</th><th>Customer</th><th class="number">Records</th>
<th class="number">People's names</th><th class="number">Links refused</th>
<th class="number">Probabilistic links</th><th>Why</th></tr></thead>
<tbody>
{rows}
</tbody>
</table>""" if self.suspects else '<p class="muted">No customer shows a suspicious sign.</p>'
        model = (f"""<p>Probabilistic matching (Splink, trained on this run's
{self.records_compared:,} comparable records): <a href="{CHART_FILE}">match weights</a>, how
much each agreement or disagreement counts.</p>
<iframe src="{CHART_FILE}" title="Splink match weights chart"></iframe>""" if self.model_trained
                 else '<p class="muted">The probabilistic model was not trained this run '
                      '(too few comparable records, or switched off): no probabilistic '
                      'links.</p>')
        return f"""<h2 id="identity">Identity review</h2>
<p class="meta">{self.flagged:,} customers show a suspicious sign; the first {SHOWN}, most
suspicious first. <code>cdp explain --customer-id ID</code> shows why each one's records are
together.</p>
{table}
{model}"""


def identity_review(warehouse: Path) -> IdentityReview:
    """Read the review from the working warehouse (read-only)."""
    with duckdb.connect(str(warehouse), read_only=True) as connection:
        [(flagged,)] = connection.execute(
            "select count(*) from marts.identity_suspicious_customers").fetchall()
        suspects = connection.execute("""
            select suspicion_rank, customer_id, records_count, people_named_count,
                refused_links_count, probabilistic_links_count, reasons
            from marts.identity_suspicious_customers
            order by suspicion_rank
            limit ?
        """, [SHOWN]).fetchall()
        trained, compared, chart = connection.execute("""
            select is_trained, records_compared, match_weights_chart_html
            from intermediate.int_identity_match_model
            order by trained_at desc
            limit 1
        """).fetchone()
    return IdentityReview(flagged, suspects, bool(trained), int(compared), chart or "")


def _text(value: object) -> str:
    return html.escape(str(value), quote=True)
