"""Identifiers as each platform wants them before SHA-256 hashing.

The audience members' emails are as the customer writes them, unwrapped (`mailto:`, `"Name" <...>`,
quotes) and lower-cased (dots and +tags kept: int_customer_email_spellings), and their phones in
E.164 ("+84912345678").
- Meta Custom Audiences: email trimmed and lower-cased; phone as digits with the country code,
  no "+" and no leading zeros ("84912345678").
- Google Ads Customer Match: email trimmed and lower-cased; phone in E.164 with the "+".
"""

import hashlib

from cdp.core.identifiers import unwrapped_email


def normalized_email(email: str | None) -> str | None:
    """Unwrapped (`mailto:`, `"Name" <...>`, quotes: the rule of `cdp.core.identifiers`, which
    the models follow too) and lower-cased; dots and +tags kept, as the platforms match them."""
    value = unwrapped_email(email or "").lower()
    return value or None


def meta_phone(e164: str | None) -> str | None:
    digits = "".join(character for character in (e164 or "") if character.isdigit())
    return digits.lstrip("0") or None


def google_phone(e164: str | None) -> str | None:
    digits = meta_phone(e164)
    return f"+{digits}" if digits else None


def sha256(value: str | None) -> str:
    """Lower-case hex SHA-256 of the UTF-8 value; "" for no value (the column left empty)."""
    return hashlib.sha256(value.encode()).hexdigest() if value else ""
