"""One published database per role, from the same run: `<published>_<role>.duckdb` beside
the full one (the `admin` role's), each with its own versions and the same atomic swap. What a
role holds is decided in cdp/privacy/roles.py from the privacy policy."""

from pathlib import Path

from cdp.privacy.policy import Policy
from cdp.privacy.roles import ADMIN, consenting_customers_sql, role_select
from cdp.publishing.publish import PublishedVersion, publish_marts


def role_published_path(published: Path, role: str) -> Path:
    if role == ADMIN:
        return published
    return published.with_name(f"{published.stem}_{role}{published.suffix}")


def publish_roles(warehouse: Path, published: Path, policy: Policy, salt: str,
                  run_id: str, keep_versions: int,
                  memory_limit: str | None = None) -> dict[str, PublishedVersion]:
    """Every role but admin (published by the caller as the full database)."""
    consenting = f"({consenting_customers_sql('working.marts.customer_consents')})"
    versions = {}
    for role in policy.roles.values():
        if role.name == ADMIN:
            continue

        def select(name: str, columns: list[tuple[str, str]], role=role) -> str | None:
            if not role.reads(name):
                return None
            return role_select(role, f'working.marts."{name}"', columns,
                               lambda column: policy.category_of(f"marts.{name}", column),
                               salt, consenting)

        versions[role.name] = publish_marts(
            warehouse, role_published_path(published, role.name), run_id=run_id,
            keep_versions=keep_versions, select=select,
            holds_identifiers=role.contact == "keep", memory_limit=memory_limit)
    return versions
