"""What mentions an erased person: exact values (ids, normalized identifiers) for typed
columns, and patterns for free text (quarantined lines, JSON, reports, logs), where an email or
phone may be written any way people write them."""

import re
import unicodedata
from dataclasses import dataclass

from cdp.core.identifiers import DOTLESS_EMAIL_DOMAINS, PHONE_KEY_DIGITS
from cdp.privacy.subjects import Subject

# Ids shorter than this are not looked for inside free text: too many other numbers contain
# them. They are still matched exactly in columns.
_MIN_ID_IN_TEXT = 6
# Boundaries around a value in text: RE2 (DuckDB) has no lookaround, so SQL consumes the
# neighbouring character; Python, which rewrites the text, must not.
_WORD = r"0-9A-Za-z"
_DIGIT = r"0-9"


@dataclass(frozen=True)
class Mentions:
    exact: frozenset[str]  # values a column equals when it is about the person
    # (regex body, characters that may not touch it): an email, phone or long id in free text
    text_patterns: tuple[tuple[str, str], ...]
    names: tuple[str, ...]  # names as written (redacted in files, never used to delete rows)

    def sql_regex(self) -> str | None:
        """For DuckDB's regexp_matches on quarantined lines and JSON columns."""
        return "|".join(f"(?:^|[^{edge}])(?:{body})(?:$|[^{edge}])"
                        for body, edge in self.text_patterns) or None

    def python_regex(self, with_names: bool) -> re.Pattern | None:
        """For rewriting files: matches only the value itself."""
        patterns = [f"(?<![{edge}])(?:{body})(?![{edge}])" for body, edge in self.text_patterns]
        if with_names:
            patterns += [re.escape(form) for name in self.names for form in _name_forms(name)]
        return re.compile("|".join(patterns), re.IGNORECASE) if patterns else None


def mentions_of(subject: Subject, own_identifiers: list[tuple[str, str]]) -> Mentions:
    """`own_identifiers`: the subject's identifiers found on no one else's record (a store's
    phone on a walk-in order is not the person's, and erasing it would erase others)."""
    exact = set(subject.customer_ids)
    for source, record_id in subject.records:
        exact |= {record_id, f"{source}:{record_id}"}
    exact |= {value for _, value in own_identifiers}
    patterns = []
    for kind, value in own_identifiers:
        if kind == "email":
            patterns.append((_email_pattern(value), _WORD))
        elif kind == "phone":
            patterns.append((_phone_pattern(value), _DIGIT))
    ids = {record_id for _, record_id in subject.records} | set(subject.customer_ids)
    for value in sorted(ids):
        if len(value) >= _MIN_ID_IN_TEXT:
            patterns.append((re.escape(value), _WORD))
    return Mentions(frozenset(exact), tuple(patterns), tuple(subject.names))


def _email_pattern(email: str) -> str:
    """The address however written: any case, a +tag, and at Gmail dots anywhere."""
    local, _, domain = email.partition("@")
    if domain in DOTLESS_EMAIL_DOMAINS:
        local_pattern = r"\.?".join(re.escape(character) for character in local)
    else:
        local_pattern = re.escape(local)
    return f"{local_pattern}(?:\\+[^@\\s\"',;]*)?@{re.escape(domain)}"


def _phone_pattern(phone: str) -> str:
    """The national number with any separators, after a country code or trunk 0 or nothing."""
    digits = re.sub(r"\D", "", phone)[-PHONE_KEY_DIGITS:]
    return r"[\s.\-()]{0,2}".join(digits)


def _name_forms(name: str) -> set[str]:
    forms = {unicodedata.normalize("NFC", name), unicodedata.normalize("NFD", name)}
    return {form for form in forms if len(form.strip()) >= 4}
