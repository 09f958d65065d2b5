"""The privacy policy of a deployment: retention windows (and, with them, what the data map
says about how long each table is kept). Read from `cdp/privacy/policy.yml`, or the file
CDP_PRIVACY_POLICY names."""

import re
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from cdp.privacy.roles import Role, parse_roles
from cdp.settings import current_settings

DEFAULT_POLICY = Path(__file__).with_name("policy.yml")
LOADED = "loaded"


class PolicyError(ValueError):
    """The policy file says something the product cannot apply; the message says what."""


@dataclass(frozen=True)
class TableRetention:
    table: str  # schema.table
    age_from: str  # a timestamp column, or "loaded"
    keep_days: int


@dataclass(frozen=True)
class Policy:
    tables: tuple[TableRetention, ...]
    file_days: dict[str, int]  # "logs" / "reports" -> days
    # (category, column-name regex, table regex or None), first match wins
    personal_data: tuple[tuple[str, str, str | None], ...] = ()
    roles: dict[str, Role] = field(default_factory=dict)

    def category_of(self, table: str, column: str) -> str | None:
        """The data map's category of `column` in `table` (schema.table), or None."""
        for category, columns, tables in self.personal_data:
            if re.fullmatch(columns, column) and (tables is None
                                                   or re.fullmatch(tables, table)):
                return category
        return None

    def retention_of(self, table: str) -> TableRetention | None:
        return next((rule for rule in self.tables if rule.table == table), None)


def load_policy(path: Path | None = None) -> Policy:
    path = path or current_settings().privacy.policy
    try:
        document = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except (OSError, yaml.YAMLError) as error:
        raise PolicyError(f"privacy policy {path}: {error}") from None
    retention = document.get("retention") or {}
    tables = []
    for rule in retention.get("tables") or []:
        try:
            table, age_from, days = rule["table"], rule["age_from"], int(rule["keep_days"])
        except (KeyError, TypeError, ValueError):
            raise PolicyError(f"privacy policy {path}: a retention rule needs table, age_from "
                              f"and keep_days (a whole number): {rule}") from None
        if days < 1 or "." not in table:
            raise PolicyError(f"privacy policy {path}: {table}: keep_days must be at least 1 "
                              "and the table written schema.table")
        tables.append(TableRetention(table, age_from, days))
    files = {name: int(days) for name, days in (retention.get("files") or {}).items()}
    personal = tuple((rule["category"], rule["columns"], rule.get("tables"))
                     for rule in document.get("personal_data") or [])
    try:
        roles = parse_roles(document.get("roles") or {})
    except ValueError as error:
        raise PolicyError(f"privacy policy {path}: {error}") from None
    return Policy(tuple(tables), files, personal, roles)
