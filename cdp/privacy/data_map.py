"""Where personal data lives: every table and column of the warehouse holding it, its
category, the sources it comes from and how long it is kept — generated from the warehouse
itself (so nothing is missed as models are added), the dbt manifest (for lineage) and the
privacy policy (for categories and retention) — and every place outside the warehouse that
holds it too: published versions, role files, upload files, reports, logs, Dagster's storage,
dlt's working folder, the privacy store, found on disk where the deployment keeps them."""

from dataclasses import dataclass
from pathlib import Path

import duckdb

from cdp.privacy.policy import Policy

_RAW_PREFIX = "raw_"


@dataclass(frozen=True)
class MappedTable:
    table: str  # schema.table
    sources: tuple[str, ...]  # website, crm, social, pos
    retention: str
    columns: tuple[tuple[str, str], ...]  # (column, category)


def build_data_map(connection: duckdb.DuckDBPyConnection, policy: Policy,
                   manifest: dict | None) -> list[MappedTable]:
    upstream = _sources_of_models(manifest) if manifest else {}
    tables = []
    for schema, table in connection.execute("""
            select table_schema, table_name from information_schema.tables
            where table_catalog = current_database()
                and table_schema not in ('reference', 'information_schema')
                and table_name not like '\\_dlt%' escape '\\'
            order by 1, 2""").fetchall():
        columns = []
        for (column,) in connection.execute("""
                select column_name from information_schema.columns
                where table_catalog = current_database() and table_schema = ?
                    and table_name = ? order by ordinal_position""", [schema, table]).fetchall():
            category = policy.category_of(f"{schema}.{table}", column)
            if category:
                columns.append((column, category))
        if not columns:
            continue
        relation = f"{schema}.{table}"
        if schema.startswith(_RAW_PREFIX):
            sources = (schema.removeprefix(_RAW_PREFIX).removesuffix("_staging"),)
        else:
            sources = tuple(sorted(upstream.get(table, ())))
        tables.append(MappedTable(relation, sources, _retention(policy, relation, schema),
                                  tuple(columns)))
    return tables


@dataclass(frozen=True)
class DeploymentPaths:
    """Where one deployment keeps its files (the caller reads its settings)."""

    warehouse: Path
    published: Path  # the admin role's views file; a role's is `<stem>_<role>.duckdb`
    reports: Path
    logs: Path
    activation: Path
    dagster_home: Path
    pipelines: Path  # dlt's working folder
    privacy_store: Path
    received_chat: Path  # where `cdp receive` writes: the exports folder's `chat/`
    versions_kept: int
    serving_database: bool  # a PostgreSQL serving database is configured
    # What the upload files hold, per destination writing them (the destination registry's
    # words: privacy sits below activation, so the caller reads it).
    upload_files_hold: str = "what each destination was sent"


@dataclass(frozen=True)
class Place:
    """A place outside the warehouse's tables that holds personal data."""

    place: str
    paths: tuple[Path, ...]
    holds: str
    retention: str
    files: int  # how many files it holds now


def places_outside_the_warehouse(paths: DeploymentPaths, policy: Policy) -> list[Place]:
    days = policy.file_days
    published = paths.published
    roles = sorted(policy.roles)

    def kept(key: str, what: str) -> str:
        return f"{days[key]} days from {what}" if key in days else "until erased (no window)"

    def published_files(role: str) -> tuple[Path, ...]:
        views = published if role == "admin" else published.with_name(
            f"{published.stem}_{role}{published.suffix}")
        return views, views.with_name(f"{views.stem}.versions")

    versions = (f"the newest {max(paths.versions_kept, 2)} versions "
                "(CDP_PUBLISHED_VERSIONS_KEPT), and any a reader's link still points at "
                "until the next publish; erasure rewrites each")
    places = [
        Place("published database (admin)", published_files("admin"),
              "every mart, contact data in clear: the views file, and a folder of Parquet "
              "files per version", versions, 0),
        *(Place(f"published database ({role})", published_files(role),
                f"the marts the `{role}` role reads, as its policy masks and filters them",
                versions, 0)
          for role in roles if role != "admin"),
        Place("upload files", (paths.activation,), paths.upload_files_hold,
              kept("activation", "the file's date"), 0),
        Place("received chat", (paths.received_chat,),
              "the Zalo and Messenger events `cdp receive` wrote (message text among them) "
              "beside the chat exports", "as long as the exports folder keeps its files; "
              "erasure takes the person's events out of the receiver's", 0),
        Place("quality reports", (paths.reports,),
              "a failed check's examples: offending values and record ids",
              kept("reports", "the run"), 0),
        Place("run and request logs", (paths.logs,),
              "what each step logged; a crash's traceback", kept("logs", "the run"), 0),
        Place("Dagster's storage", (paths.dagster_home,),
              "run history and event logs: check metadata and examples, log lines",
              "Dagster keeps runs until deleted; erasure redacts the person in place", 0),
        Place("dlt's working folder", (paths.pipelines,),
              "load packages (copies of the rows each load stored) and run traces",
              "until the next load replaces them; erasure deletes them", 0),
        Place("privacy store", (paths.privacy_store,),
              "the audit of requests and the suppression list (salted hashes: names no one); "
              "`pending/`: a request under way, with the person's records and identifiers",
              "the audit: kept; a pending request's file: until the request finishes", 0),
    ]
    if paths.serving_database:
        places.append(Place("serving database (PostgreSQL)", (),
                            "every mart in `cdp_private`, and each role's views",
                            "replaced each night; erasure and restriction republish it", 0))
    return [Place(place.place, place.paths, place.holds, place.retention,
                  sum(_files_in(path) for path in place.paths)) for place in places]


def _where(place: Place) -> str:
    return ", ".join(f"`{_shown(path)}`" for path in place.paths) or "`CDP_SERVING_URL`"


def _shown(path: Path) -> str:
    """Relative to the folder the command runs in when under it: the page is committed."""
    try:
        return str(path.resolve().relative_to(Path.cwd().resolve()))
    except ValueError:
        return str(path)


def _files_in(path: Path) -> int:
    if path.is_file():
        return 1
    if not path.is_dir():
        return 0
    return sum(1 for child in path.rglob("*") if child.is_file())


def _retention(policy: Policy, relation: str, schema: str) -> str:
    rule = policy.retention_of(relation)
    if rule:
        dated = "load" if rule.age_from == "loaded" else f"`{rule.age_from}`"
        return f"{rule.keep_days} days from its {dated}"
    if schema.startswith(_RAW_PREFIX):
        return "until erased (no window set)"
    if schema == "privacy":
        return "while the restriction holds"
    if relation == "activation.erased_member_removals":
        return "until each destination confirms the erased person's removal"
    if relation == "activation.delivery_record_versions":
        return "a counter per destination and audience: names no one"
    if relation == "activation.zns_messages":  # cdp/activation/destinations/zalo_zns.py
        return "until erased: each message sent and Zalo's answer, so none goes twice"
    if schema == "activation":  # what each destination holds (cdp/activation/state.py)
        return "while the destination holds the member"
    return "rebuilt nightly from the raw tables: as long as they keep it"


def _sources_of_models(manifest: dict) -> dict[str, set[str]]:
    """Model name -> the source systems it reads, following the lineage up to the sources."""
    nodes = manifest.get("nodes", {})
    memo: dict[str, set[str]] = {}

    def sources(unique_id: str) -> set[str]:
        if unique_id.startswith("source."):
            return {manifest["sources"][unique_id]["source_name"]}
        if unique_id in memo:
            return memo[unique_id]
        memo[unique_id] = set()
        found = set()
        for parent in nodes.get(unique_id, {}).get("depends_on", {}).get("nodes", []):
            found |= sources(parent)
        memo[unique_id] = found
        return found

    return {node["name"]: sources(unique_id) for unique_id, node in nodes.items()
            if node.get("resource_type") == "model"}


def render_markdown(tables: list[MappedTable], places: list[Place] | None = None) -> str:
    lines = [
        "# Where personal data lives",
        "",
        "Generated by `cdp privacy map` from the warehouse, the dbt lineage and the privacy "
        "policy (`cdp/privacy/policy.yml`). Categories: identifier (ties a row to a person), "
        "contact (reaches or names them), behavioural (what they did, chose or are deemed "
        "to be), financial (what they paid).",
        "",
        "| table | sources | retention | columns |",
        "|---|---|---|---|",
    ]
    for table in tables:
        by_category: dict[str, list[str]] = {}
        for column, category in table.columns:
            by_category.setdefault(category, []).append(f"`{column}`")
        columns = "; ".join(f"{category}: {', '.join(names)}"
                            for category, names in by_category.items())
        lines.append(f"| `{table.table}` | {', '.join(table.sources) or '—'} | "
                     f"{table.retention} | {columns} |")
    if places:
        lines += [
            "",
            "## Outside the warehouse",
            "",
            "| place | where | holds | retention | files now |",
            "|---|---|---|---|---|",
            *(f"| {place.place} | {_where(place)} | {place.holds} | {place.retention} | "
              f"{place.files:,} |" for place in places),
        ]
    return "\n".join(lines) + "\n"
