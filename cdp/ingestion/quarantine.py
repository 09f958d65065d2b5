"""Rows (or whole files) the loader set aside, with enough context to fix and replay them."""

from dataclasses import asdict, dataclass

import pyarrow as pa

QUARANTINE_TABLE = "quarantine"
QUARANTINE_KEY = ("file_fingerprint", "line_number", "reason")


@dataclass(frozen=True)
class QuarantinedRow:
    """One record that could not be loaded; `line_number` is the file's physical line (1-based,
    the header is line 1); 0 when the whole file was set aside."""

    source_file: str
    file_fingerprint: str
    line_number: int
    reason: str
    raw_text: str


def quarantine_table(rows: list[QuarantinedRow]) -> pa.Table:
    schema = pa.schema([
        ("source_file", pa.string()),
        ("file_fingerprint", pa.string()),
        ("line_number", pa.int64()),
        ("reason", pa.string()),
        ("raw_text", pa.string()),
    ])
    return pa.Table.from_pylist([asdict(row) for row in rows], schema=schema)
