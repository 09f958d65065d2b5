"""Pulling given physical lines out of a (possibly gzipped) text file, for quarantine records."""

import gzip
from pathlib import Path


def read_lines(path: Path, is_gzip: bool, spans: dict[int, int]) -> dict[int, str]:
    """Text of the lines starting at each key of `spans` and running for its value in lines."""
    wanted = sorted(spans)
    found: dict[int, str] = {}
    if not wanted:
        return found
    opener = gzip.open if is_gzip else open
    with opener(path, "rb") as handle:
        collecting: list[tuple[int, list[str]]] = []
        for number, raw in enumerate(handle, start=1):
            if number in spans:
                collecting.append((number, []))
            for start, parts in collecting:
                parts.append(raw.decode("utf-8", errors="replace").rstrip("\r\n"))
                if len(parts) == spans[start]:
                    found[start] = "\n".join(parts)
            collecting = [(start, parts) for start, parts in collecting if start not in found]
            if len(found) == len(wanted):
                break
    return found


def with_newline_line_ends(path: Path, is_gzip: bool, scratch: Path) -> tuple[Path, bool]:
    """The file itself, or (for a file whose lines end in a bare carriage return, as old Mac
    Excel writes) an uncompressed copy in `scratch` with newlines instead, so every reader and
    line count downstream sees the same lines. Returns the path to read and whether it is
    gzipped."""
    opener = gzip.open if is_gzip else open
    with opener(path, "rb") as handle:
        start = handle.read(1024 * 1024)
    if b"\r" not in start or b"\n" in start:
        return path, is_gzip
    copy = scratch / "newline-line-ends"
    with opener(path, "rb") as source, open(copy, "wb") as target:
        while chunk := source.read(8 * 1024 * 1024):
            target.write(chunk.replace(b"\r", b"\n"))
    return copy, False
