"""The generated phone validity (macro valid_phone_number) agrees with libphonenumber."""

import random

import duckdb
import phonenumbers
import pytest

from cdp.identity.phone_patterns import MACRO, macro_text, validity_case

pytestmark = pytest.mark.unit


def test_the_committed_macro_is_what_the_installed_metadata_generates():
    assert MACRO.read_text(encoding="utf-8") == macro_text(), \
        "regenerate: .venv/bin/python -m cdp.identity.phone_patterns"


def test_the_macro_decides_validity_as_phonenumbers_does():
    # Numbers around real ones: valid examples of several countries with a digit changed,
    # added or dropped, and the Vietnamese cases seen on the sample.
    generator = random.Random(7)
    numbers = {"+84912345678", "+8491234567", "+84212345678", "+842439361234", "+84987654321"}
    for region in ("VN", "US", "GB", "SG", "TH", "FR", "JP", "AU"):
        for number_type in (phonenumbers.PhoneNumberType.MOBILE,
                            phonenumbers.PhoneNumberType.FIXED_LINE):
            example = phonenumbers.example_number_for_type(region, number_type)
            if example is None:
                continue
            e164 = phonenumbers.format_number(example, phonenumbers.PhoneNumberFormat.E164)
            numbers.add(e164)
            for _ in range(15):
                digits = list(e164[1:])
                position = generator.randrange(len(str(example.country_code)), len(digits))
                edit = generator.choice(("change", "add", "drop"))
                if edit == "change":
                    digits[position] = str(generator.randrange(10))
                elif edit == "add":
                    digits.insert(position, str(generator.randrange(10)))
                else:
                    del digits[position]
                numbers.add("+" + "".join(digits))
    with duckdb.connect() as connection:
        connection.execute("create table numbers (phone varchar)")
        connection.executemany("insert into numbers values (?)", [[n] for n in numbers])
        valid_by_macro = {phone for (phone,) in connection.execute(
            f"select phone from numbers where ({validity_case('phone')}) is not null"
        ).fetchall()}
    # The library drops a national prefix written after the country code (+81 0 90...); the
    # normalize_phone macro drops it for the default country only, so compare the rest as is.
    valid_by_library = set()
    for number in numbers:
        parsed = phonenumbers.parse(number)
        written = number[1 + len(str(parsed.country_code)):]
        if phonenumbers.is_valid_number(parsed) and str(parsed.national_number) == written:
            valid_by_library.add(number)
    assert len(numbers) > 150 and 0 < len(valid_by_library) < len(numbers)
    assert valid_by_macro == valid_by_library
