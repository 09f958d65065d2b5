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
    logins: tuple[str, ...] = ()  # serving database logins that read as this role

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
        logins = tuple(rule.get("logins") or ())
        if not all(isinstance(login, str) and login for login in logins):
            raise ValueError(f"role {name}: logins is a list of database login names")
        roles[name] = Role(name, None if tables == "*" else tuple(tables), contact, rows,
                           logins)
    return roles


# What becomes of a column in a role's copy (`column_treatments`).
KEEP, INITIALS, HASHED = "keep", "initials", "hashed"


def column_treatments(role: Role, columns: list[tuple[str, str]],
                      category_of) -> list[tuple[str, str]]:
    """(column, treatment) for every column `role` sees, in order; a column left out is not
    seen. `columns`: (name, DuckDB type); `category_of(column)`: the data map's category.
    HASHED: emails and phone-shaped values become salted hashes, other values stay."""
    treatments = []
    for name, data_type in columns:
        category = category_of(name)
        if role.contact == "mask" and category in ("contact", "identifier") \
                and data_type == "VARCHAR":
            if _NAME_COLUMNS.fullmatch(name):
                treatments.append((name, INITIALS))
            elif category == "identifier" or _KEPT_CONTACT.fullmatch(name) \
                    or re.search("email|phone", name):
                treatments.append((name, HASHED))
            # any other contact column (addresses, raw values) is left out
        else:
            treatments.append((name, KEEP))
    return treatments


def initials_sql(column: str) -> str:
    """Names as initials ("Nguyễn Văn An" -> "N. V. A."): the same SQL in DuckDB and
    PostgreSQL."""
    return f"regexp_replace(trim({column}), '(\\S)\\S*', '\\1.', 'g')"


def hashed_sql(column: str, salt: str) -> str:
    """DuckDB SQL: the value as a salted hash when it is an email or shaped like a phone."""
    return _hash_if_contact(column, salt)


def role_select(role: Role, relation: str, columns: list[tuple[str, str]],
                category_of, salt: str, consenting_customers: str) -> str | None:
    """SELECT building `role`'s copy of the mart at `relation` (None: the role does not read
    it). `consenting_customers`: a relation of customer ids that granted a marketing
    purpose."""
    expressions = []
    for name, treatment in column_treatments(role, columns, category_of):
        quoted = f'"{name}"'
        if treatment == INITIALS:
            expressions.append(f"{initials_sql(quoted)} as {quoted}")
        elif treatment == HASHED:
            expressions.append(f"{hashed_sql(quoted, salt)} as {quoted}")
        else:
            expressions.append(quoted)
    where = rows_filter(role, columns, consenting_customers)
    return f"select {', '.join(expressions)} from {relation}{where}"


def rows_filter(role: Role, columns: list[tuple[str, str]], consenting_customers: str) -> str:
    """The WHERE clause keeping the rows `role` may see ("" for all)."""
    if role.rows == "consenting" and any(name == "customer_id" for name, _ in columns):
        return f" where customer_id in (select customer_id from {consenting_customers})"
    return ""


def _hash_if_contact(column: str, salt: str) -> str:
    """Emails and phone-shaped values hashed; other values (ids, cities) kept."""
    prefix = f"{salt}:role:".replace("'", "''")
    # Phone-shaped: once spaces, dots, brackets and dashes are taken out, an optional "+" and 8
    # to 15 digits. One pass of one expression (5x faster than removing them first: this runs
    # on every identifier of the largest marts).
    separators = "[\\s.()-]*"
    phone_shaped = f"{separators}\\+?(?:{separators}[0-9]){{8,15}}{separators}"
    return (f"case when contains({column}, '@') "
            f"or regexp_full_match({column}, '{phone_shaped}') "
            f"then sha256('{prefix}' || {column}) else {column} end")


def consenting_customers_sql(consents_relation: str) -> str:
    purposes = ", ".join(f"'{purpose}'" for purpose in _MARKETING_PURPOSES)
    return (f"select distinct customer_id from {consents_relation} "
            f"where status = 'granted' and purpose in ({purposes})")
