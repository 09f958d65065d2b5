"""What each role may read, as the SQL that builds its copy of a mart.

A role's published database is built from the same run as the full one, table by table: the
tables it may read, the rows it may see (`consenting`: customers who granted a marketing
purpose), and its contact data kept or masked. Masking is decided by the data map's
categories and by the values themselves, so a new column holding an email is masked the night
it appears:
- a value shaped like an email or a phone number, in any text column of the data map, becomes
  a salted SHA-256 hash (still joinable across tables, never readable);
- people's names become initials ("Nguyễn Văn An" -> "N. V. A.");
- every other contact column (addresses, values set aside, raw lines) is left out.
"""

import re
from dataclasses import dataclass

ADMIN = "admin"
_NAME_COLUMNS = re.compile(r"full_name|first_name|last_name|billing_name|traits_name")
_KEPT_CONTACT = re.compile(r"city|billing_city")
_MARKETING_PURPOSES = ("email_marketing", "sms_marketing", "advertising")


@dataclass(frozen=True)
class Role:
    name: str
    tables: tuple[str, ...] | None  # None: every mart
    contact: str  # keep | mask
    rows: str  # all | consenting

    def reads(self, table: str) -> bool:
        return self.tables is None or table in self.tables


def parse_roles(document: dict) -> dict[str, Role]:
    roles = {}
    for name, rule in (document or {}).items():
        tables = rule.get("tables", "*")
        contact, rows = rule.get("contact", "mask"), rule.get("rows", "all")
        if contact not in ("keep", "mask") or rows not in ("all", "consenting"):
            raise ValueError(f"role {name}: contact is keep or mask, rows is all or consenting")
        if not re.fullmatch(r"[a-z][a-z0-9_]*", name):
            raise ValueError(f"role {name}: a role name is lower case letters, digits and _")
        roles[name] = Role(name, None if tables == "*" else tuple(tables), contact, rows)
    return roles


def role_select(role: Role, relation: str, columns: list[tuple[str, str]],
                category_of, salt: str, consenting_customers: str) -> str | None:
    """SELECT building `role`'s copy of the mart at `relation` (None: the role does not read
    it). `columns`: (name, DuckDB type); `category_of(column)`: the data map's category;
    `consenting_customers`: a relation of customer ids that granted a marketing purpose."""
    expressions = []
    for name, data_type in columns:
        quoted = f'"{name}"'
        category = category_of(name)
        if role.contact == "mask" and category in ("contact", "identifier") \
                and data_type == "VARCHAR":
            if _NAME_COLUMNS.fullmatch(name):
                expressions.append(
                    f"regexp_replace(trim({quoted}), '(\\S)\\S*', '\\1.', 'g') as {quoted}")
            elif category == "identifier" or _KEPT_CONTACT.fullmatch(name) \
                    or re.search("email|phone", name):
                expressions.append(f"{_hash_if_contact(quoted, salt)} as {quoted}")
            # any other contact column (addresses, raw values) is left out
        else:
            expressions.append(quoted)
    where = ""
    if role.rows == "consenting" and any(name == "customer_id" for name, _ in columns):
        where = f" where customer_id in (select customer_id from {consenting_customers})"
    return f"select {', '.join(expressions)} from {relation}{where}"


def _hash_if_contact(column: str, salt: str) -> str:
    """Emails and phone-shaped values hashed; other values (ids, cities) kept."""
    prefix = f"{salt}:role:".replace("'", "''")
    digits = f"regexp_replace({column}, '[\\s.()-]', '', 'g')"
    return (f"case when contains({column}, '@') "
            f"or regexp_matches({digits}, '^\\+?[0-9]{{8,15}}$') "
            f"then sha256('{prefix}' || {column}) else {column} end")


def consenting_customers_sql(consents_relation: str) -> str:
    purposes = ", ".join(f"'{purpose}'" for purpose in _MARKETING_PURPOSES)
    return (f"select distinct customer_id from {consents_relation} "
            f"where status = 'granted' and purpose in ({purposes})")
