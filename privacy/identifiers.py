"""How a person's identifiers are keyed for the suppression list: the same key whoever wrote
the value and however, computed alike in Python (at erasure) and in SQL (at ingestion).

- email: trimmed, lower case, `+tag` dropped, dots dropped at Gmail (as the models normalize);
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


def email_key(email: str) -> str | None:
    address = email.strip().lower()
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


def email_key_sql(expression: str) -> str:
    """`email_key` as DuckDB SQL over a text expression (null when it is no address)."""
    address = f"lower(trim({expression}))"
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
