"""The seed of valid phone number patterns (dbt_project/seeds/phone_number_patterns.csv), made
from the metadata of `phonenumbers` (Google's libphonenumber): per region, its calling code and
one regular expression a valid national number matches in full — the union of the patterns of
every number type the region has (fixed line, mobile, toll free, VoIP, ...), as
`phonenumbers.is_valid_number` decides. The normalize_phone macro keeps a number only when it
matches: "+84 0912 345 678" is +84912345678, "091234567" nothing.

Regenerate after upgrading phonenumbers:

    .venv/bin/python -m identity_resolution.phone_patterns
"""

import csv
import io
from pathlib import Path

import phonenumbers
from phonenumbers import PhoneMetadata

SEED = Path(__file__).resolve().parents[1] / "dbt_project" / "seeds" / "phone_number_patterns.csv"
NUMBER_TYPES = ("fixed_line", "mobile", "toll_free", "premium_rate", "shared_cost",
                "personal_number", "voip", "pager", "uan", "voicemail")


def valid_number_pattern(region: str) -> str | None:
    metadata = PhoneMetadata.metadata_for_region(region)
    if metadata is None:
        return None
    patterns = []
    for number_type in NUMBER_TYPES:
        description = getattr(metadata, number_type, None)
        pattern = description.national_number_pattern if description is not None else None
        if pattern and f"(?:{pattern})" not in patterns:
            patterns.append(f"(?:{pattern})")
    return "|".join(patterns) or None


def seed_text() -> str:
    output = io.StringIO()
    writer = csv.writer(output, lineterminator="\n")
    writer.writerow(["calling_code", "region", "national_number_pattern"])
    for region in sorted(phonenumbers.SUPPORTED_REGIONS):
        pattern = valid_number_pattern(region)
        if pattern:
            writer.writerow([PhoneMetadata.metadata_for_region(region).country_code, region,
                             pattern])
    return output.getvalue()


if __name__ == "__main__":
    SEED.write_text(seed_text(), encoding="utf-8")
    print(f"wrote {SEED} from phonenumbers {phonenumbers.__version__}")
