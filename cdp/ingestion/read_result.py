"""What a reader hands on: the rows it loaded into DuckDB, and what it could not read."""

from collections.abc import Callable
from dataclasses import dataclass, field


@dataclass(frozen=True)
class RejectedLine:
    """A line the reader itself could not turn into a row."""

    line_number: int
    reason: str
    raw_text: str


@dataclass(frozen=True)
class FileProblem:
    """Why a whole file could not be loaded (`is_empty`: nothing to load, which is no error)."""

    line_number: int
    reason: str
    is_empty: bool = False


# Given row ordinals (0-based positions in file order), their physical line and raw text.
Locator = Callable[[list[int]], dict[int, tuple[int, str]]]


@dataclass(frozen=True)
class ReadResult:
    columns: list[str]  # as named in the file
    rejected: list[RejectedLine]
    locate: Locator
    notes: list[str] = field(default_factory=list)  # what was read leniently, for the report
