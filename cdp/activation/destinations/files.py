"""Upload files, what the file destinations (`meta`, `google_ads`, `csv`) have in common.

Each delivery writes, per audience, one file of removes and one of adds (the platforms take
removals as a separate upload) under `<activation folder>/<destination>/<audience>/`, named by
the run's date and id and numbered in upload order (`…-1-removes.csv`, `…-2-adds.csv`),
written whole to a temporary name and renamed, so a half-written file is never picked up.
Each file destination says its columns and how a change becomes a row.
"""

import csv
import hashlib
import os
import re
import tempfile
import unicodedata
from abc import abstractmethod
from datetime import UTC, datetime
from pathlib import Path

from cdp.activation.destinations.base import DeliveryRun, Destination
from cdp.activation.state import Change


def audience_folder_name(audience_name: str) -> str:
    """A folder name for an audience: ASCII words joined by dashes and a short hash of the
    exact name, so that "Hà Nội" and "Ha Noi" never share one ("ha-noi-1f3a9c")."""
    ascii_name = unicodedata.normalize("NFKD", audience_name.replace("đ", "d").replace("Đ", "D"))
    ascii_name = ascii_name.encode("ascii", "ignore").decode().lower()
    words = re.sub(r"[^a-z0-9]+", "-", ascii_name).strip("-") or "audience"
    return f"{words}-{hashlib.sha256(audience_name.encode()).hexdigest()[:6]}"


class UploadFile(Destination):
    """A destination that is a pair of files per audience and delivery, for a person to upload
    (or a tool to import): confirmed as soon as they are written."""

    removes_and_adds_together = True  # one write holds both: the removes file and the adds file
    header: tuple[str, ...]  # the platform's column names
    private = False  # readable by its owner only (0600), not by the group too (0640)

    @abstractmethod
    def row(self, change: Change) -> list[str]:
        """A change as a row under `header`."""

    def send(self, run: DeliveryRun, changes: dict[str, list[Change]]) -> list[str]:
        for audience_name, audience_changes in changes.items():
            written = self.write_change_files(run.activation_dir, audience_name,
                                              audience_changes, run.run_id)
            run.files += [str(path) for path in written.values()]
            run.recorded(audience_changes)
        return []

    def write_change_files(self, folder: Path, audience_name: str, changes: list[Change],
                           run_id: str) -> dict[str, Path]:
        """The adds and removes files of one audience ({} if no change)."""
        target = folder / self.name / audience_folder_name(audience_name)
        stamp = f"{datetime.now(UTC):%Y-%m-%d}-{run_id[:8]}"
        written = {}
        # Numbered in the order to upload them: removals first, since a member whose
        # identifiers changed is in both.
        for kind, name in (("remove", "1-removes"), ("add", "2-adds")):
            rows = [self.row(change) for change in changes if change.change == kind
                    and self.can_receive(change.email, change.phone)]
            if not rows:
                continue
            target.mkdir(parents=True, exist_ok=True)
            path = target / f"{stamp}-{name}.csv"
            _write_whole(path, self.header, rows, private=self.private)
            written[kind] = path
        return written


def _write_whole(path: Path, header: tuple[str, ...], rows: list[list[str]], private: bool) -> None:
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
