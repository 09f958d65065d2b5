"""Erasure of a person from the upload files (`cdp privacy erase`): every row of a Meta, Google
Ads or CSV file that holds one of their identifiers — plain, or hashed as that platform wants
it — or their customer id is removed, in place."""

import csv
import io
import os
from pathlib import Path

from activation.identifiers import google_phone, meta_phone, normalized_email, sha256


def person_tokens(identifiers: list[tuple[str, str]], customer_ids: list[str]) -> set[str]:
    """The values that name the person in an upload file."""
    tokens = set(customer_ids)
    for kind, value in identifiers:
        if kind == "email":
            email = normalized_email(value)
            tokens |= {email, sha256(email)}
        elif kind == "phone":
            tokens |= {value, sha256(meta_phone(value)), sha256(google_phone(value))}
    return {token for token in tokens if token}


def erase_from_upload_files(folder: Path, identifiers: list[tuple[str, str]],
                            customer_ids: list[str]) -> dict[str, int]:
    """Rows removed per file (relative to `folder`)."""
    tokens = person_tokens(identifiers, customer_ids)
    removed: dict[str, int] = {}
    if not tokens or not folder.exists():
        return removed
    for path in sorted(folder.rglob("*.csv")):
        rows = list(csv.reader(io.StringIO(path.read_text(encoding="utf-8"))))
        kept = [row for row in rows if not tokens.intersection(row)]
        if len(kept) == len(rows):
            continue
        staged = path.with_name(f".{path.name}.erasing")
        handle = os.open(staged, os.O_WRONLY | os.O_CREAT | os.O_TRUNC,
                         path.stat().st_mode & 0o777)
        with os.fdopen(handle, "w", newline="", encoding="utf-8") as out:
            csv.writer(out).writerows(kept)
        os.replace(staged, path)
        removed[str(path.relative_to(folder))] = len(rows) - len(kept)
    return removed
