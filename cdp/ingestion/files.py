"""Finding export files through dlt's filesystem source (local folders and fsspec URLs alike),
telling which of them the loader reads, and fingerprinting their content."""

import gzip
import hashlib
import os
import shutil
import tempfile
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from dlt.common.storages.fsspec_filesystem import FileItemDict
from dlt.sources.filesystem import filesystem

from cdp.ingestion.spec import ExportSpec

_CHUNK = 8 * 1024 * 1024
_GZIP_MAGIC = b"\x1f\x8b"


class UnreadableFile(Exception):
    """The file cannot be read at all (bad compression, cut short): it is set aside whole."""


@dataclass(frozen=True)
class ExportFile:
    """One file found under the exports directory."""

    item: FileItemDict
    relative_path: str  # e.g. "crm/contacts-2026-11-22.csv": what lineage columns show
    url: str
    size_bytes: int
    modified_at: str  # ISO 8601

    @property
    def is_gzip(self) -> bool:
        return self.relative_path.lower().endswith(".gz")

    @property
    def is_local(self) -> bool:
        return self.url.startswith("file://")

    def signature(self) -> list:
        """What changes whenever the content may have: size and modification time, and for a
        local file its inode and change time too, which no copy, rewrite or `touch -d` keeps
        (the kernel sets the change time). A local file whose signature is unchanged holds the
        content it had; a remote one's (size, time to the second) proves less."""
        signature = [self.size_bytes, self.modified_at]
        if self.is_local:
            status = os.stat(self.item.local_file_path)
            signature += [status.st_ino, status.st_ctime_ns, status.st_mtime_ns]
        return signature

    @contextmanager
    def local_path(self) -> Iterator[Path]:
        """A path DuckDB can read: the file itself when local, else a temporary copy."""
        if self.is_local:
            yield Path(self.item.local_file_path)
            return
        suffix = "".join(Path(self.relative_path).suffixes)
        with tempfile.NamedTemporaryFile(suffix=suffix) as copy:
            with self.item.open(mode="rb", compression="disable") as remote:
                shutil.copyfileobj(remote, copy, _CHUNK)
            copy.flush()
            yield Path(copy.name)

    def fingerprint(self, path: Path) -> str:
        """SHA-1 of the (uncompressed) content, read in full: a file rewritten with the same
        size and modification time is still recognised as changed, and the same export under
        another name or compressed is a duplicate (the loader reads a local file again only
        when its `signature` changed). Reading a gzip file to its end also
        proves it whole. SHA-1 for speed (~2.5x MD5 here); this is no security boundary. A
        zero-byte `.gz` holds nothing, as an empty plain file does: it is read as empty (if an
        upload later fills it, its new content is a new file)."""
        digest = hashlib.sha1(usedforsecurity=False)
        if self.is_gzip:
            with open(path, "rb") as handle:
                start = handle.read(2)
            if start not in (_GZIP_MAGIC, b""):
                raise UnreadableFile(f"named .gz but not gzip-compressed (it starts with "
                                     f"{start!r}); rename or recompress it")
        try:
            with gzip.open(path, "rb") if self.is_gzip else open(path, "rb") as handle:
                while chunk := handle.read(_CHUNK):
                    digest.update(chunk)
        except EOFError as error:
            raise UnreadableFile("gzip file is cut short (it ends before its end-of-stream "
                                 "marker: an unfinished upload?); it is retried when complete"
                                 ) from error
        except (gzip.BadGzipFile, OSError) as error:
            raise UnreadableFile(f"gzip file is corrupt: {error}") from error
        return digest.hexdigest()


@dataclass(frozen=True)
class IgnoredFile:
    """A file under the exports folder the loader does not read, and why."""

    relative_path: str
    reason: str


@dataclass(frozen=True)
class SystemListing:
    readable: list[ExportFile]  # oldest name first, so later exports are read after earlier ones
    ignored: list[IgnoredFile]


def list_export_files(exports_dir: str, spec: ExportSpec) -> SystemListing:
    """Files directly in the spec's folder (`<exports_dir>/crm/`, or `crm/deleted/` for a
    deletion list) whose name ends (in any case) with one of its suffixes are read; anything else
    under that folder is listed as ignored with the reason, except the subfolder its deletion
    lists are read from. Other subfolders are not read: they are where people park archives and
    old copies, and an old export read after a newer one would look like the newest version of
    its records."""
    folder, suffixes = spec.folder, spec.file_suffixes
    read_elsewhere = PurePosixPath(spec.deletions.folder) if spec.deletions else None
    depth = len(PurePosixPath(folder).parts) + 1
    also = f" (deletion lists: {read_elsewhere}/)" if read_elsewhere else ""
    readable: dict[str, ExportFile] = {}
    ignored: list[IgnoredFile] = []
    for item in _walk(exports_dir, f"{folder}/**/*"):
        relative = PurePosixPath(item["relative_path"])
        name = relative.name
        if read_elsewhere and relative.is_relative_to(read_elsewhere):
            continue  # its own listing reads or ignores it
        if len(relative.parts) > depth:
            ignored.append(IgnoredFile(str(relative), f"in a subfolder ({relative.parent}/): only "
                                                      f"files directly in {folder}/ are read"
                                                      f"{also}"))
        elif name.startswith(".") or name.startswith("~$"):
            ignored.append(IgnoredFile(str(relative), "hidden or temporary file"))
        elif not name.lower().endswith(suffixes):
            ignored.append(IgnoredFile(
                str(relative), f"not an export this loader reads (expected "
                               f"{', '.join('*' + suffix for suffix in suffixes)})"))
        elif spec.file_name_values and spec.value_of_file_name(name) is None:
            prefixes = ", ".join(f"{prefix}*" for prefix, _ in spec.file_name_values)
            ignored.append(IgnoredFile(
                str(relative), f"not named as this export's files are ({prefixes}): its "
                               f"name says which {spec.file_name_column} its rows have"))
        else:
            readable[str(relative)] = ExportFile(
                item=item,
                relative_path=str(relative),
                url=item["file_url"],
                size_bytes=int(item["size_in_bytes"]),
                modified_at=item["modification_date"].isoformat(),
            )
    return SystemListing([readable[name] for name in sorted(readable)],
                         sorted(ignored, key=lambda file: file.relative_path))


def list_files_outside(exports_dir: str, systems: list[str],
                       specs: Sequence[ExportSpec] = ()) -> list[IgnoredFile]:
    """Files under the exports folder that belong to no system folder (`CRM/`, `misc/`, the
    root itself), and, in a system whose exports all live in subfolders of its own (`email/`
    holds `mailchimp/` and `events/`), files in none of them: nothing reads them, so they are
    listed instead of passing unnoticed. `specs`: the enabled systems' export specs."""
    spec_folders: dict[str, list[PurePosixPath]] = {}
    for spec in specs:
        spec_folders.setdefault(spec.system, []).append(PurePosixPath(spec.folder))
    nested_only = {system: folders for system, folders in spec_folders.items()
                   if PurePosixPath(system) not in folders}
    ignored = []
    for item in _walk(exports_dir, "**/*"):
        relative = PurePosixPath(item["relative_path"])
        top = relative.parts[0]
        if len(relative.parts) > 1 and top in nested_only:
            folders = nested_only[top]
            if not any(relative.is_relative_to(folder) for folder in folders):
                ignored.append(IgnoredFile(str(relative), (
                    f"not in a folder {top}/ is read from: its exports go in "
                    f"{', '.join(f'{folder}/' for folder in folders)}")))
            continue
        if len(relative.parts) > 1 and top in systems:
            continue
        if len(relative.parts) == 1:
            reason = f"at the top of the exports folder: put it in one of {', '.join(systems)}/"
        else:
            near = [system for system in systems if system == top.lower().strip()]
            hint = f" (did you mean {near[0]}/? folder names are lower case)" if near else ""
            reason = f"in an unknown folder {top}/{hint}: the loader reads only " \
                     f"{', '.join(system + '/' for system in systems)}"
        ignored.append(IgnoredFile(str(relative), reason))
    return sorted(ignored, key=lambda file: file.relative_path)


def _walk(exports_dir: str, glob: str) -> Iterator[FileItemDict]:
    for page in filesystem(bucket_url=exports_dir, file_glob=glob):
        yield from page if isinstance(page, list) else [page]
