"""Upload files: Meta Custom Audiences, Google Ads Customer Match, and a plain CSV for email and
SMS tools (Mailchimp, Klaviyo-style imports).

Each delivery writes, per audience, one file of removes and one of adds (the platforms take
removals as a separate upload) under `<activation folder>/<destination>/<audience>/`, named by
the run's date and id and numbered in upload order (`…-1-removes.csv`, `…-2-adds.csv`),
written whole to a temporary name and renamed, so a half-written file is never picked up.
Meta's and Google's files hold only SHA-256 hashes of the normalized identifiers, under each
platform's documented column names; the CSV holds the plain email and phone and is readable by
its owner only (0600).
"""

import csv
import hashlib
import os
import re
import tempfile
import unicodedata
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

from cdp.activation.identifiers import google_phone, meta_phone, normalized_email, sha256
from cdp.activation.state import Change

# Column names per platform, and how a change becomes a row.
FILE_FORMATS: dict[str, tuple[list[str], Callable[[Change], list[str]]]] = {
    # Meta's customer list: lower-case identifier keys, values hashed (Ads Manager and the
    # Marketing API's EMAIL/PHONE schema take the same normalized SHA-256 values).
    "meta": (["email", "phone"], lambda change: [
        sha256(normalized_email(change.email)), sha256(meta_phone(change.phone))]),
    # Google Ads Customer Match upload template: hashed values under the template's headers.
    "google_ads": (["Email", "Phone"], lambda change: [
        sha256(normalized_email(change.email)), sha256(google_phone(change.phone))]),
    "csv": (["customer_id", "email", "phone"], lambda change: [
        change.customer_id, normalized_email(change.email) or "", change.phone or ""]),
}


def audience_folder_name(audience_name: str) -> str:
    """A folder name for an audience: ASCII words joined by dashes and a short hash of the
    exact name, so that "Hà Nội" and "Ha Noi" never share one ("ha-noi-1f3a9c")."""
    ascii_name = unicodedata.normalize("NFKD", audience_name.replace("đ", "d").replace("Đ", "D"))
    ascii_name = ascii_name.encode("ascii", "ignore").decode().lower()
    words = re.sub(r"[^a-z0-9]+", "-", ascii_name).strip("-") or "audience"
    return f"{words}-{hashlib.sha256(audience_name.encode()).hexdigest()[:6]}"


def write_change_files(folder: Path, destination: str, audience_name: str,
                       changes: list[Change], run_id: str) -> dict[str, Path]:
    """The adds and removes files of one audience for a file destination ({} if no change)."""
    header, row_of = FILE_FORMATS[destination]
    target = folder / destination / audience_folder_name(audience_name)
    stamp = f"{datetime.now(UTC):%Y-%m-%d}-{run_id[:8]}"
    written = {}
    # Numbered in the order to upload them: removals first, since a member whose identifiers
    # changed is in both.
    for kind, name in (("remove", "1-removes"), ("add", "2-adds")):
        rows = [row_of(change) for change in changes if change.change == kind
                and (destination == "csv" or change.email or change.phone)]
        if not rows:
            continue
        target.mkdir(parents=True, exist_ok=True)
        path = target / f"{stamp}-{name}.csv"
        _write_whole(path, header, rows, private=destination == "csv")
        written[kind] = path
    return written


def _write_whole(path: Path, header: list[str], rows: list[list[str]], private: bool) -> None:
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=".writing-")
    try:
        with os.fdopen(handle, "w", newline="", encoding="utf-8") as out:
            writer = csv.writer(out)
            writer.writerow(header)
            writer.writerows(rows)
        os.chmod(temporary, 0o600 if private else 0o640)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
