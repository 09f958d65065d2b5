"""The quality report: one self-contained HTML page per run, and an index of the kept runs.

Pure functions from check records to HTML. The pages carry their CSS inline and no script or
external URL, so they open from disk (`file://`) on a machine without internet; every value is
escaped, since examples come from customer data.
"""

import html
from collections import Counter
from dataclasses import dataclass
from datetime import datetime
from urllib.parse import quote

# Worst first: the order checks are listed in, and how a run's status is chosen.
STATUSES = ("failed", "warned", "passed")


@dataclass(frozen=True)
class FailedExpectation:
    expectation: str  # e.g. "expect_column_values_to_not_be_null"
    column: str | None  # one column, or several joined with ", "
    unexpected_count: int | None
    examples: tuple[str, ...] = ()  # a few offending values, as text


@dataclass(frozen=True)
class CheckRecord:
    """One check's outcome in one run: what `runs/<run_id>/checks/<name>.json` holds."""

    name: str
    asset: str  # the asset key as a path, e.g. "marts/customers"
    description: str
    blocking: bool
    passed: bool
    rows_checked: int
    checked_at: datetime  # timezone-aware
    failures: tuple[FailedExpectation, ...] = ()

    @property
    def status(self) -> str:
        """A failed check that does not guard publishing only warns."""
        if self.passed:
            return "passed"
        return "failed" if self.blocking else "warned"

    def to_json(self) -> dict:
        return {
            "name": self.name,
            "asset": self.asset,
            "description": self.description,
            "blocking": self.blocking,
            "passed": self.passed,
            "rows_checked": self.rows_checked,
            "checked_at": self.checked_at.isoformat(),
            "failures": [
                {"expectation": failure.expectation, "column": failure.column,
                 "unexpected_count": failure.unexpected_count, "examples": list(failure.examples)}
                for failure in self.failures
            ],
        }

    @classmethod
    def from_json(cls, data: dict) -> "CheckRecord":
        return cls(
            name=data["name"],
            asset=data["asset"],
            description=data["description"],
            blocking=data["blocking"],
            passed=data["passed"],
            rows_checked=data["rows_checked"],
            checked_at=datetime.fromisoformat(data["checked_at"]),
            failures=tuple(
                FailedExpectation(failure["expectation"], failure["column"],
                                  failure["unexpected_count"], tuple(failure["examples"]))
                for failure in data["failures"]
            ),
        )


@dataclass(frozen=True)
class RunReport:
    """The checks one run has recorded so far."""

    run_id: str
    checks: tuple[CheckRecord, ...]  # at least one
    # Extra parts of the page, as HTML our own code rendered (values escaped), e.g. the
    # identity review; shown after the checks in name order.
    sections: tuple[str, ...] = ()

    @property
    def started_at(self) -> datetime:
        return min(check.checked_at for check in self.checks)

    @property
    def finished_at(self) -> datetime:
        return max(check.checked_at for check in self.checks)

    @property
    def counts(self) -> dict[str, int]:
        """How many checks passed, warned and failed."""
        statuses = Counter(check.status for check in self.checks)
        return {status: statuses[status] for status in STATUSES}

    @property
    def status(self) -> str:
        return next(status for status in STATUSES if self.counts[status])

    def summary(self) -> "RunSummary":
        return RunSummary(self.run_id, self.started_at, self.counts)


@dataclass(frozen=True)
class RunSummary:
    """What the index shows of a run: `runs/<run_id>/summary.json`, so that listing the kept
    runs reads a small file each, not every check record of every run."""

    run_id: str
    started_at: datetime  # timezone-aware
    counts: dict[str, int]  # checks passed, warned and failed

    @property
    def status(self) -> str:
        return next(status for status in STATUSES if self.counts.get(status))

    def to_json(self) -> dict:
        return {"run_id": self.run_id, "started_at": self.started_at.isoformat(),
                "counts": {status: self.counts.get(status, 0) for status in STATUSES}}

    @classmethod
    def from_json(cls, data: dict) -> "RunSummary":
        counts = {status: int(data["counts"].get(status, 0)) for status in STATUSES}
        if not any(counts.values()):
            raise ValueError("a run summary counts no check")
        return cls(data["run_id"], datetime.fromisoformat(data["started_at"]), counts)


def run_page(run: RunReport) -> str:
    """The page of one run: its id and time, a summary, then every check, worst first."""
    checks = sorted(run.checks, key=lambda check: (STATUSES.index(check.status), check.asset,
                                                   check.name))
    rows = "\n".join(_check_row(check) for check in checks)
    return _page(
        f"Data quality · run {run.run_id}",
        f"""<p class="nav"><a href="../../index.html">All runs</a></p>
<h1>Data quality report</h1>
<p class="meta">Run <code>{_text(run.run_id)}</code> · checked {_time(run.started_at)} to
{_time(run.finished_at)}</p>
<p class="summary">{_summary(run)} <span class="muted">of {len(checks)} checks</span></p>
<table>
<thead><tr><th>Status</th><th>Asset</th><th>Check</th><th>If it fails</th>
<th class="number">Rows checked</th><th>What failed</th></tr></thead>
<tbody>
{rows}
</tbody>
</table>
{"".join(run.sections)}""",
    )


def index_page(runs: list[RunReport] | list[RunSummary]) -> str:
    """The list of kept runs, newest first, each linking to its page."""
    runs = sorted(runs, key=lambda run: (run.started_at, run.run_id), reverse=True)
    rows = "\n".join(
        f"""<tr class="{run.status}"><td>{_badge(run.status)}</td>
<td><a href="runs/{_text(quote(run.run_id))}/index.html"><code>{_text(run.run_id)}</code></a></td>
<td>{_time(run.started_at)}</td><td>{_summary(run)}</td></tr>"""
        for run in runs
    )
    table = (f"""<table>
<thead><tr><th>Status</th><th>Run</th><th>Checked</th><th>Checks</th></tr></thead>
<tbody>
{rows}
</tbody>
</table>""" if runs else '<p class="muted">No run has been checked yet.</p>')
    return _page("Data quality reports", f"""<h1>Data quality reports</h1>
<p class="meta">The Great Expectations checks of each kept run, newest first.</p>
{table}""")


def _check_row(check: CheckRecord) -> str:
    failures = "\n".join(_failure(failure) for failure in check.failures)
    return f"""<tr class="{check.status}"><td>{_badge(check.status)}</td>
<td><code>{_text(check.asset)}</code></td>
<td><strong>{_text(check.name)}</strong><div class="muted">{_text(check.description)}</div></td>
<td>{"blocks publishing" if check.blocking else "warns"}</td>
<td class="number">{check.rows_checked:,}</td>
<td>{failures}</td></tr>"""


def _failure(failure: FailedExpectation) -> str:
    column = f" on <code>{_text(failure.column)}</code>" if failure.column else ""
    count = (f": {failure.unexpected_count:,} unexpected "
             f"{'row' if failure.unexpected_count == 1 else 'rows'}"
             if failure.unexpected_count is not None else "")
    examples = "".join(f"<li><code>{_text(example)}</code></li>" for example in failure.examples)
    listed = f'<ul class="examples" title="examples">{examples}</ul>' if examples else ""
    return f'<div class="failure"><code>{_text(failure.expectation)}</code>{column}{count}' \
           f"{listed}</div>"


def _summary(run: RunReport | RunSummary) -> str:
    counts = run.counts
    return " ".join(f'<span class="count {status}">{counts[status]} {status}</span>'
                    for status in reversed(STATUSES))


def _badge(status: str) -> str:
    return f'<span class="badge {status}">{status}</span>'


def _time(moment: datetime) -> str:
    return _text(moment.strftime("%Y-%m-%d %H:%M:%S %Z"))


def _text(value: str) -> str:
    return html.escape(value, quote=True)


def _page(title: str, body: str) -> str:
    return f"""<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{_text(title)}</title>
<style>{_CSS}</style>
</head>
<body>
{body}
</body>
</html>
"""


_CSS = """
body { font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: #1f2328;
       margin: 2rem auto; max-width: 1200px; padding: 0 1rem; }
h1 { font-size: 1.5rem; margin: 0 0 .25rem; }
code { font: 12px ui-monospace, SFMono-Regular, Menlo, Consolas, monospace;
       overflow-wrap: anywhere; }
a { color: #0969da; }
table { border-collapse: collapse; width: 100%; margin-top: 1rem; }
th, td { border-bottom: 1px solid #d0d7de; padding: .5rem; text-align: left;
         vertical-align: top; }
th { background: #f6f8fa; position: sticky; top: 0; }
.number { text-align: right; white-space: nowrap; }
.muted, .meta { color: #59636e; }
.nav { margin: 0 0 1rem; }
.badge, .count { border-radius: 1em; padding: .1em .6em; font-weight: 600; white-space: nowrap; }
.passed { --tone: #1a7f37; --wash: #dafbe1; }
.warned { --tone: #9a6700; --wash: #fff8c5; }
.failed { --tone: #cf222e; --wash: #ffebe9; }
.badge, .count { color: var(--tone); background: var(--wash); }
tr.failed td:first-child, tr.warned td:first-child { box-shadow: inset 3px 0 var(--tone); }
.failure + .failure { margin-top: .5rem; }
.examples { margin: .25rem 0 0; padding-left: 1.25rem; }
h2 { font-size: 1.2rem; margin: 2rem 0 .25rem; }
iframe { width: 100%; height: 520px; border: 1px solid #d0d7de; margin-top: 1rem; }
"""
