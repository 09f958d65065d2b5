"""Noticing when a source changes its export's columns.

A header renamed at the source (`Email` -> `E-mail`) loads fine: the new column is kept, and the
old one is simply empty from then on, so every identifier downstream goes quiet without an
error. The loader compares each file's header with the format's documented columns and with
the columns earlier files had, and says so.
"""

import re

# Two names are lookalikes when, lower-cased with everything but letters and digits dropped,
# they are equal or one edit apart (a typo); one edit is only trusted on longer names.
_MIN_LENGTH_FOR_ONE_EDIT = 5


def drift_warnings(columns: list[str], known: tuple[str, ...], seen_before: set[str]) -> list[str]:
    """What changed in a file's header: documented columns earlier files had and this one lacks,
    and new columns that look like a documented one renamed."""
    present = set(columns)
    missing = [column for column in known if column in seen_before and column not in present]
    warnings = []
    for column in columns:
        if column in known or column in seen_before:
            continue
        renamed_from = [
            original for original in known
            if original not in present and _lookalike(column, original)
        ]
        if renamed_from:
            warnings.append(f"column {column!r} looks like {renamed_from[0]!r} renamed: it is "
                            f"loaded under its new name and {renamed_from[0]!r} stays empty")
            missing = [name for name in missing if name != renamed_from[0]]
    if missing:
        warnings.append(f"column(s) {', '.join(repr(name) for name in missing)} missing "
                        "(earlier exports had them)")
    return warnings


def _squashed(name: str) -> str:
    return re.sub(r"[^0-9a-z]", "", name.lower())


def _lookalike(candidate: str, original: str) -> bool:
    left, right = _squashed(candidate), _squashed(original)
    if not left or not right:
        return False
    if left == right:
        return True
    return min(len(left), len(right)) >= _MIN_LENGTH_FOR_ONE_EDIT and _within_one_edit(left, right)


def _within_one_edit(left: str, right: str) -> bool:
    if abs(len(left) - len(right)) > 1:
        return False
    if len(left) > len(right):
        left, right = right, left
    for index, (a, b) in enumerate(zip(left, right, strict=False)):
        if a != b:
            tail = index + 1
            return left[index if len(left) < len(right) else tail:] == right[tail:]
    return True
