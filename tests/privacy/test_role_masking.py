"""What a masking role hashes: emails and phone-shaped values, whatever their separators, and
nothing else (ids, order numbers with letters, short codes)."""

import re

import duckdb
import pytest

from cdp.privacy.roles import hashed_sql

pytestmark = pytest.mark.unit

SALT = "salt"


def _phone_shaped(value: str) -> bool:
    """The rule in words: take out spaces, dots, brackets and dashes; what is left is an
    optional "+" and 8 to 15 digits."""
    return re.fullmatch(r"\+?[0-9]{8,15}", re.sub(r"[\s.()-]", "", value)) is not None


VALUES = [
    "+84 912 345 678", "(028) 3822-1234", "0912.345.678", "+ 84912345678", " 0912345678 ",
    "\t0912\n345678", "09-12-34-56-78", "0912345678.", "123456789012345",
    "84+912345678", "++84912345678", "1234567", "1234567890123456", "a0912345678", "+", "",
    "0912 345 678 ext 2", "cus_0912345678", "SO-10045", "2026-12-06", "an@example.vn", "@",
    "0912/345/678", "09123456\uff17\uff18",
]


def test_emails_and_phone_shaped_values_are_hashed_and_nothing_else():
    with duckdb.connect() as connection:
        connection.execute("create table v (x varchar)")
        connection.executemany("insert into v values (?)", [[value] for value in [*VALUES, None]])
        rows = connection.execute(
            f"select x, {hashed_sql('x', SALT)} from v").fetchall()
    for value, shown in rows:
        if value is None:
            assert shown is None
            continue
        should_hash = "@" in value or _phone_shaped(value)
        assert (shown != value) == should_hash, value
