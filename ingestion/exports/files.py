"""Finding export files through dlt's filesystem source (local folders and fsspec URLs alike),
and telling whether their content was loaded before."""

import gzip
import hashlib
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from dlt.common.storages.fsspec_filesystem import FileItemDict
from dlt.sources.filesystem import filesystem

_CHUNK = 8 * 1024 * 1024


@dataclass(frozen=True)
class ExportFile:
    """One file found under the exports directory."""

    item: FileItemDict
    relative_path: str  # e.g. "crm/contacts-2026-11-22.csv": what lineage columns show
    url: str
    size_bytes: int
    modified_at: str  # ISO 8601

    @property
    def listing_signature(self) -> list:
        """Size and modification time: if both are unchanged, the content is assumed to be."""
        return [self.size_bytes, self.modified_at]

    @property
    def is_gzip(self) -> bool:
        return self.relative_path.endswith(".gz")

    @contextmanager
    def local_path(self) -> Iterator[Path]:
        """A path DuckDB can read: the file itself when local, else a temporary copy."""
        if self.url.startswith("file://"):
            yield Path(self.item.local_file_path)
            return
        suffix = "".join(Path(self.relative_path).suffixes)
        with tempfile.NamedTemporaryFile(suffix=suffix) as copy:
            with self.item.open(mode="rb", compression="disable") as remote:
                shutil.copyfileobj(remote, copy, _CHUNK)
            copy.flush()
            yield Path(copy.name)

    def fingerprint(self, path: Path) -> str:
        """SHA-1 of the (uncompressed) content: the same export under another name is a
        duplicate. SHA-1 for speed (~2.5x MD5 here); this is no security boundary."""
        digest = hashlib.sha1(usedforsecurity=False)
        opener = gzip.open if self.is_gzip else open
        with opener(path, "rb") as handle:
            while chunk := handle.read(_CHUNK):
                digest.update(chunk)
        return digest.hexdigest()


def list_export_files(exports_dir: str, system: str, patterns: tuple[str, ...]) -> list[ExportFile]:
    """Files of one system, oldest name first, so later exports are read after earlier ones."""
    found: dict[str, ExportFile] = {}
    for pattern in patterns:
        listing = filesystem(bucket_url=exports_dir, file_glob=f"{system}/{pattern}")
        for page in listing:
            for item in page if isinstance(page, list) else [page]:
                found[item["relative_path"]] = ExportFile(
                    item=item,
                    relative_path=item["relative_path"],
                    url=item["file_url"],
                    size_bytes=int(item["size_in_bytes"]),
                    modified_at=item["modification_date"].isoformat(),
                )
    return [found[name] for name in sorted(found)]
