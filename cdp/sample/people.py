"""The sample's ground truth: people, and the many ways their identifiers get written down.

Every identifier a person owns is stored once in canonical form; the `render_*` functions return
the messy spellings source systems actually hold (case, spaces, gmail dots and +tags, phones with
and without the country code, names without diacritics or in NFD). Identity resolution is scored
against the canonical side, so these spellings are exactly what it has to see through.
"""

import random
import unicodedata
from dataclasses import dataclass, field

from cdp.sample import vietnam

# index -> (index * multiplier + offset) mod space is a permutation of the number space (the
# multiplier is coprime to it): phones are unique per person unless shared on purpose
# (households), so a collision in the sample is never an accident of the generator.
_SUBSCRIBER_NUMBERS = 10**7
_PHONE_SPACE = len(vietnam.MOBILE_PREFIXES) * _SUBSCRIBER_NUMBERS
_PHONE_MULTIPLIER = 7_919_731
_PHONE_OFFSET = 48_271_113


@dataclass(slots=True)
class Person:
    """One real human, with the identifiers they own."""

    person_id: str
    family_name: str
    middle_name: str
    given_name: str
    city: str
    phone: str  # national significant number, 9 digits, no trunk 0: "912345678"
    emails: list[str]  # canonical mailboxes, personal first
    user_id: str | None = None  # website account id, if they registered
    devices: list[str] = field(default_factory=list)  # Segment anonymousIds
    shares_household_phone: bool = False
    recycled_number: bool = False  # got a number someone else used before; active only lately

    @property
    def full_name(self) -> str:
        return f"{self.family_name} {self.middle_name} {self.given_name}"


def _weighted(rng: random.Random, pairs: list[tuple[str, int]]) -> str:
    values, weights = zip(*pairs, strict=True)
    return rng.choices(values, weights)[0]


def new_uuid(rng: random.Random) -> str:
    hex_digits = f"{rng.getrandbits(128):032x}"
    return (
        f"{hex_digits[:8]}-{hex_digits[8:12]}-4{hex_digits[13:16]}-"
        f"{'89ab'[int(hex_digits[16], 16) % 4]}{hex_digits[17:20]}-{hex_digits[20:]}"
    )


def make_person(rng: random.Random, index: int, household_of: "Person | None") -> Person:
    """A person with a unique phone (or a housemate's) and unique personal email."""
    is_female = rng.random() < 0.52
    family = _weighted(rng, vietnam.FAMILY_NAMES)
    middle = rng.choice(vietnam.FEMALE_MIDDLE_NAMES if is_female else vietnam.MALE_MIDDLE_NAMES)
    given = rng.choice(vietnam.FEMALE_GIVEN_NAMES if is_female else vietnam.MALE_GIVEN_NAMES)
    if household_of is not None:
        phone, city = household_of.phone, household_of.city
    else:
        number = (index * _PHONE_MULTIPLIER + _PHONE_OFFSET) % _PHONE_SPACE
        prefix, subscriber = divmod(number, _SUBSCRIBER_NUMBERS)
        phone = f"{vietnam.MOBILE_PREFIXES[prefix]}{subscriber:07d}"
        city = _weighted(rng, vietnam.CITIES)
    local = vietnam.fold_diacritics(given + family).lower()
    emails = [f"{local}{index}@{_weighted(rng, vietnam.PERSONAL_EMAIL_DOMAINS)}"]
    if rng.random() < 0.2:
        work_local = vietnam.fold_diacritics(f"{given}.{family}").lower()
        emails.append(f"{work_local}.{index}@{rng.choice(vietnam.WORK_EMAIL_DOMAINS)}")
    return Person(
        person_id=f"P{index:07d}",
        family_name=family,
        middle_name=middle,
        given_name=given,
        city=city,
        phone=phone,
        emails=emails,
        shares_household_phone=household_of is not None,
    )


def add_devices(rng: random.Random, person: Person, count: int) -> list[str]:
    new_devices = [new_uuid(rng) for _ in range(count)]
    person.devices.extend(new_devices)
    return new_devices


def render_phone(rng: random.Random, phone: str) -> str:
    """One of the ways a VN mobile number gets typed into a form or a spreadsheet."""
    roll = rng.random()
    if roll < 0.30:
        return f"0{phone[:3]} {phone[3:6]} {phone[6:]}"
    if roll < 0.55:
        return f"0{phone}"
    if roll < 0.72:
        return f"+84{phone}"
    if roll < 0.82:
        return f"84{phone}"
    if roll < 0.90:
        return phone  # a spreadsheet read the number as an integer and dropped the 0
    if roll < 0.95:
        return f"+84 {phone[:2]} {phone[2:5]} {phone[5:]}"
    return f"0{phone[:3]}-{phone[3:6]}-{phone[6:]}"


def render_email(rng: random.Random, email: str) -> str:
    """The mailbox as typed: stray case and spaces, and gmail's ignored dots and +tags."""
    local, domain = email.split("@")
    roll = rng.random()
    if domain == "gmail.com" and roll < 0.15:
        cut = rng.randrange(1, len(local))
        local = f"{local[:cut]}.{local[cut:]}"
    elif domain == "gmail.com" and roll < 0.25:
        local = f"{local}+{rng.choice(['shop', 'promo', 'fb', 'sale'])}"
    rendered = f"{local}@{domain}"
    roll = rng.random()
    if roll < 0.10:
        rendered = rendered.upper()
    elif roll < 0.25:
        rendered = rendered.capitalize()
    if rng.random() < 0.05:
        rendered = f" {rendered} "
    return rendered


def render_name(rng: random.Random, name: str) -> str:
    """A name as a source holds it: with or without diacritics, upper case, or decomposed."""
    roll = rng.random()
    if roll < 0.55:
        return name
    if roll < 0.75:
        return vietnam.fold_diacritics(name)
    if roll < 0.85:
        return name.upper()
    if roll < 0.92:
        return vietnam.fold_diacritics(name).lower()
    return unicodedata.normalize("NFD", name)  # what macOS keyboards send


def name_variant(rng: random.Random, person: Person) -> str:
    """The name as a person types it in a hurry: middle name left out, given name first, or
    one letter lost. Still recognisably the same person to a human reader."""
    family, middle, given = person.family_name, person.middle_name, person.given_name
    roll = rng.random()
    if roll < 0.4:
        return f"{family} {given}"
    if roll < 0.65:
        return f"{given} {family}" if rng.random() < 0.5 else f"{middle} {given} {family}"
    tokens = [family, middle, given]
    position = rng.randrange(3)
    token = tokens[position]
    if len(token) >= 3:
        cut = rng.randrange(1, len(token))
        tokens[position] = token[:cut] + token[cut + 1:]
    return " ".join(tokens)
