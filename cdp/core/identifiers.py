"""How a person's identifiers are keyed for the suppression list: the same key whoever wrote
the value and however, computed alike in Python (at erasure) and in SQL (at ingestion).

- email: unwrapped (`mailto:`, `"Name" <...>`, surrounding quotes and spaces), lower case, `+tag`
  dropped, dots dropped at Gmail. The models key emails by the same rule in SQL (dbt macros
  `unwrap_email` and `normalize_email`); this twin keys them where no model runs: at ingestion,
  to drop an erased person's new records, and at erasure;
- phone: the last nine digits, the national number with no country code or trunk 0, so
  `+84 912 345 678`, `0912345678` and `84912345678` are one key (a number in another country
  sharing nine final digits would be suppressed too: erring on the side of the erased);
- record: `<source>:<id>` of a source record (a device, a contact, a lead, an order), and
  `user_id:<id>` of a website account.

A key is stored only as SHA-256 of `<salt>:<kind>:<key>`: the list names nobody.
"""

import hashlib
import re

DOTLESS_EMAIL_DOMAINS = ("gmail.com", "googlemail.com")
PHONE_KEY_DIGITS = 9


# What may wrap an address, at either end: ASCII white space, straight, back and curly quotes,
# and the no-break space. In SQL as the models write it ([[:space:]] is the ASCII white space).
_EDGE = "[ \t\n\v\f\r\"'`\u201c\u201d\u2018\u2019\u00a0]"
_EDGE_SQL = "[[:space:]\"''`\u201c\u201d\u2018\u2019\u00a0]"
_TRIMMED = re.compile(f"^{_EDGE}+|{_EDGE}+$")
_IN_BRACKETS = re.compile(r"^[^<>]*<([^<>]*)>$")  # `"An Nguyen" <an@x.vn>`, `<an@x.vn>`
_MAILTO = re.compile(r"^mailto:([^?]*)(\?.*)?$", re.IGNORECASE)  # and its `?subject=...`


def unwrapped_email(email: str) -> str:
    """The address without what wraps it, step for step as the dbt macro `unwrap_email`."""
    address = _TRIMMED.sub("", email)
    address = _TRIMMED.sub("", _IN_BRACKETS.sub(r"\1", address))
    return _TRIMMED.sub("", _MAILTO.sub(r"\1", address))


def email_key(email: str) -> str | None:
    address = unwrapped_email(email).lower()
    local, at, domain = address.partition("@")
    if not at or not local or not domain:
        return None
    local = local.split("+", 1)[0]
    if domain in DOTLESS_EMAIL_DOMAINS:
        local = local.replace(".", "")
    return f"{local}@{domain}"


def phone_key(phone: str) -> str | None:
    digits = re.sub(r"\D", "", phone)
    return digits[-PHONE_KEY_DIGITS:] if len(digits) >= PHONE_KEY_DIGITS else None


def salted_hash(salt: str, kind: str, key: str) -> str:
    return hashlib.sha256(f"{salt}:{kind}:{key}".encode()).hexdigest()


def unwrapped_email_sql(expression: str) -> str:
    """`unwrapped_email` as DuckDB SQL over a text expression."""
    trimmed = f"'^{_EDGE_SQL}+|{_EDGE_SQL}+$', '', 'g'"
    stripped = f"regexp_replace({expression}, {trimmed})"
    from_brackets = f"regexp_replace({stripped}, '{_IN_BRACKETS.pattern}', '\\1')"
    without_mailto = (f"regexp_replace(regexp_replace({from_brackets}, {trimmed}), "
                      f"'{_MAILTO.pattern}', '\\1', 'i')")
    return f"regexp_replace({without_mailto}, {trimmed})"


def email_key_sql(expression: str) -> str:
    """`email_key` as DuckDB SQL over a text expression (null when it is no address)."""
    address = f"lower({unwrapped_email_sql(expression)})"
    local = f"split_part(split_part({address}, '@', 1), '+', 1)"
    domain = f"split_part({address}, '@', 2)"
    dotless = ", ".join(f"'{domain_name}'" for domain_name in DOTLESS_EMAIL_DOMAINS)
    return (
        f"case when {address} like '_%@_%' then "
        f"(case when {domain} in ({dotless}) then replace({local}, '.', '') else {local} end)"
        f" || '@' || {domain} end"
    )


def phone_key_sql(expression: str) -> str:
    digits = f"regexp_replace(coalesce({expression}, ''), '[^0-9]', '', 'g')"
    return (f"case when length({digits}) >= {PHONE_KEY_DIGITS} "
            f"then right({digits}, {PHONE_KEY_DIGITS}) end")


def salted_hash_sql(salt: str, kind: str, key_expression: str) -> str:
    prefix = f"{salt}:{kind}:".replace("'", "''")
    return f"sha256('{prefix}' || {key_expression})"
