"""What a privacy request did (or, with --dry-run, would do), as a few lines for the screen:
one per step, counts added up; the full list of places goes to the request's log file."""

from cdp.privacy.store import PrivacyRequest
from cdp.privacy.subjects import Subject
from cdp.privacy_requests.requests import LEFT_TO_THE_NIGHT, RequestResult

# step -> (what is counted, where): "118 rows from 45 tables"
_UNITS = {
    "warehouse": ("rows", "tables"),
    "published versions": ("rows", "files"),
    "dlt packages": ("packages and traces", "pipelines"),
    "upload files": ("rows", "files"),
    "received chat": ("events", "files"),
    "reports and logs": ("mentions redacted", "files"),
    "dagster storage": ("mentions redacted", "databases"),
}


def summary_lines(result: RequestResult, dry_run: bool = False) -> list[str]:
    lines = [heading_line(result.request, result.subject, result.resumed, dry_run)]
    lines += [step_line(step, places) for step, places in result.steps.items()]
    lines += [f"  note: {note}" for note in result.notes]
    return lines


def heading_line(request: PrivacyRequest, subject: Subject, resumed: bool = False,
                 dry_run: bool = False) -> str:
    sources: dict[str, int] = {}
    for source, _record_id in subject.records:
        sources[source] = sources.get(source, 0) + 1
    per_source = ", ".join(f"{source} {count}" for source, count in sorted(sources.items()))
    customers = len(subject.customer_ids)
    heading = "Would erase" if dry_run else request.kind.capitalize()
    who = (f"{customers} customer{'' if customers == 1 else 's'} "
           f"({', '.join(subject.customer_ids[:3])}{', …' if customers > 3 else ''})"
           if customers else "no customer (only records a deletion list retired)")
    return (f"{heading} {request.request_id}"
            f"{' (interrupted, finished now)' if resumed else ''}: {who}, "
            f"{len(subject.records)} records ({per_source or 'none'})")


def step_line(step: str, places: dict[str, int]) -> str:
    return f"  {step:<19} {_step_summary(step, places)}"


def _step_summary(step: str, places: dict[str, int]) -> str:
    if LEFT_TO_THE_NIGHT in places:
        return LEFT_TO_THE_NIGHT
    if step == "restricted records":
        return f"{places.get('records restricted', 0):,} (every consent withdrawn, no segment)"
    if step == "models":
        return "not rebuilt (see the note)" if places.get("failed") else "rebuilt"
    if step == "database file":
        return "rewritten (no deleted row left in its free blocks)"
    if step == "serving database":
        return "none configured" if places else "republished"
    if step == "published now" and not places:
        return "left to the next night"
    if step == "published now":
        versions = {place.split(" version ", 1)[1] for place in places}
        roles = [place.split(" ", 1)[0] for place in places]
        return f"version {min(versions)} ({', '.join(roles)})"
    special = {place: count for place, count in places.items() if "(" in place}
    plain = {place: count for place, count in places.items() if "(" not in place}
    parts = []
    if plain and step in _UNITS:
        counted, where = _UNITS[step]
        parts.append(f"{sum(plain.values()):,} {counted} from {len(plain):,} {where}")
    elif plain:
        parts += [f"{count:,} {place}" for place, count in plain.items()]
    parts += [f"{count:,} {place.split(' (', 1)[0].split('.')[-1]} "
              f"({place.split(' (', 1)[1]}" for place, count in special.items()]
    return " · ".join(parts) or "nothing found"


def detail_lines(result: RequestResult) -> list[str]:
    """Every place, for the log file: no values, only where and how many."""
    return [f"{step}: {place}: {count}" for step, places in result.steps.items()
            for place, count in sorted(places.items())]


class PrintedProgress:
    """A RequestProgress printing each line as it comes (`echo`: the command's printer)."""

    def __init__(self, echo) -> None:
        self.echo = echo

    def started(self, request: PrivacyRequest, subject: Subject, resumed: bool) -> None:
        self.echo(heading_line(request, subject, resumed))

    def step_done(self, step: str, places: dict[str, int]) -> None:
        self.echo(step_line(step, places))
