"""Plan nights of activity for a population and write them as the four systems export it.

Layout written under the output folder (`night_folders` lists the nights in order):
    exports/<system>/...                 night 1: the history up to the as-of date (point
                                         `--exports-dir` here)
    next_night/<system>/...              night 2: the next day's delta (copy it into exports/
                                         to deliver it)
    later_nights/<YYYY-MM-DD>/<system>/  nights 3.. (only with nights > 2): one day's delta
                                         each, dated as-of + night - 1 days
    ground_truth.csv                     which person every source record belongs to, every night

Night 2 and the later nights are deltas: known people browsing, ordering and leaving leads, CRM
contacts updated or exported again unchanged, refunds of earlier orders, and new people. Later
nights also hold what an incremental pipeline finds hardest: refunds of orders placed weeks or
months before, devices that browsed anonymously on an earlier night and now log in (a late
identify joining their old sessions to a known customer), contacts whose phone, email or
email consent changed, and website visitors changing their cookie consent.

The population is built to make identity resolution hard the way real data is: several devices
and emails per person, duplicate CRM contacts, junk values, the shop's own phone typed for walk-in
customers, households sharing a phone, and web orders seen both as events and as Shopify rows.
Chat (Zalo OA events, Messenger webhooks) adds phones typed every way inside sentences, and
typed phones that are not the sender's: a relative's, a family account's second user's.
"""

import csv
import gzip
import random
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from enum import Enum
from pathlib import Path

import orjson

from cdp.sample import app, chat, crm, email, pos, social, vietnam, website
from cdp.sample.app import AppSession
from cdp.sample.chat import MessengerEvent, MessengerThread, ZaloAccount, ZaloEvent
from cdp.sample.crm import Contact
from cdp.sample.email import Activity, EspContact, Member
from cdp.sample.people import (
    Person,
    add_devices,
    make_person,
    name_variant,
    new_uuid,
    render_email,
    render_name,
    render_phone,
)
from cdp.sample.pos import Order
from cdp.sample.profiles import DEFAULT, SampleProfile
from cdp.sample.social import Lead

HISTORY_DAYS = 730
NEW_PEOPLE_SHARE = 0.02  # people first seen on night 2
# Buyers' purchase rates (gamma: mean one order per 120 days, most far rarer) and their chance
# of never returning after an order (beta, mean 0.25).
PURCHASE_RATE_MEAN = 1 / 120
PURCHASE_RATE_SHAPE = 0.7
DROPOUT_BETA = (1.0, 3.0)
MAX_ORDERS_PER_BUYER = 60
# Regular buyers' gaps: gamma with this shape around their mean (1 would be exponential).
REGULAR_GAP_SHAPE = 6.0
# Lapsing buyers' own lifetime as customers: exponential, this mean in days.
LAPSING_LIFETIME_MEAN_DAYS = 300
# Seasonal buyers buy in the weeks before Tết (the lunar new year, local date) in most years.
TET_DATES = [date(2023, 1, 22), date(2024, 2, 10), date(2025, 1, 29), date(2026, 2, 17),
             date(2027, 2, 6), date(2028, 1, 26), date(2029, 2, 13), date(2030, 2, 3),
             date(2031, 1, 23), date(2032, 2, 11)]
SEASONAL_YEAR_SHARE = 0.75
# The folders nights are written to, under the output folder.
EXPORTS_DIR, NEXT_NIGHT_DIR, LATER_NIGHTS_DIR = "exports", "next_night", "later_nights"
WALK_IN_NAME = "Khách lẻ"  # what cashiers type for a customer who gives no name
# What else cashiers type for "no name": variants no configured placeholder list has all of.
WALK_IN_NAMES = ["Khách lẻ", "KHACH LE", "Khách", "Khách vãng lai", "Anh", "Chị", "Em", "."]
# People only chat knows, and the relatives whose phones chatters type, are numbered from here
# (below the phone permutation's size): their phones are nobody else's.
CHAT_ONLY_INDEX, RELATIVE_INDEX = 100_000_000, 200_000_000
# A later night's chat: the share of Zalo accounts and Messenger threads that talk again, and
# of Zalo accounts that unfollow an OA or follow again one they left.
CHAT_AGAIN_SHARE, CHAT_UNFOLLOW_SHARE, CHAT_FOLLOW_AGAIN_SHARE = 0.02, 0.002, 0.01


@dataclass(frozen=True)
class DeltaRates:
    """How much of the population one delta night touches: chances per person, contact, order
    or device."""

    browse: float  # a known person with a device browses
    new_device: float  # ... on a device never seen before
    identify: float  # ... and logs in
    order: float  # a known person orders
    lead: float  # a known person submits a lead form
    contact_update: float  # a contact is changed (and exported again)
    contact_reexport: float  # a contact is exported unchanged (cumulative with contact_update)
    refund: float  # an order that can be refunded is
    late_identify: float = 0.0  # a device never identified logs in (a late identify bridge)


# Night 2's rates, as they have always been (other code's accuracy figures depend on them).
NIGHT_TWO_RATES = DeltaRates(browse=0.05, new_device=0.2, identify=0.5, order=0.015, lead=0.005,
                             contact_update=0.04, contact_reexport=0.09, refund=0.02)
# A later night: about 1 % of the population's activity. Refunds are of paid orders placed
# between REFUND_AGE_DAYS before the night; late identifies of devices that never logged in.
LATER_NIGHT_RATES = DeltaRates(browse=0.02, new_device=0.15, identify=0.5, order=0.006,
                               lead=0.002, contact_update=0.01, contact_reexport=0.025,
                               refund=0.01, late_identify=0.004)
REFUND_AGE_DAYS = (7, 180)


class _Consent(Enum):
    DRAW = "draw"  # plan_browsing draws a device's consent afresh


@dataclass(slots=True)
class Session:
    """A planned browsing session, rendered to Segment messages only when written."""

    person: Person
    device: str
    start: datetime
    identify: bool
    order: Order | None = None
    # Segment Consent Management: the device's category preferences, sent on every message in
    # `context.consent`, and whether this session is where the visitor changed them.
    consent: dict[str, bool] | None = None
    consent_changed: bool = False


@dataclass
class Night:
    """Everything one night's export files hold."""

    sessions: list[Session] = field(default_factory=list)
    contacts: list[Contact] = field(default_factory=list)
    leads: list[Lead] = field(default_factory=list)
    orders: list[Order] = field(default_factory=list)
    members: list[Member] = field(default_factory=list)  # Mailchimp members new or changed
    activity: list[Activity] = field(default_factory=list)
    esp_events: list[tuple[EspContact, list[tuple[str, datetime, dict]]]] = field(
        default_factory=list)
    app_sessions: list[AppSession] = field(default_factory=list)
    zalo_events: list[ZaloEvent] = field(default_factory=list)
    messenger_events: list[MessengerEvent] = field(default_factory=list)


@dataclass
class SampleSummary:
    """Counts of what was written, for the command's output and for tests."""

    people: int
    files: dict[str, int]  # relative path -> records written


class _Planner:
    """Draws every person's records; all randomness flows from one seeded generator."""

    def __init__(self, seed: int, as_of: date, profile: SampleProfile, customers: int) -> None:
        self.rng = random.Random(seed)
        # Consent statements draw from their own stream, so adding them left every identifier
        # the sample writes as it was (and identity figures comparable across versions).
        self.consent_rng = random.Random(f"{seed}-consent")
        self.profile = profile
        self.household_of: dict[str, str] = {}  # person id -> the household's first person id
        self.household_sizes: dict[str, int] = {}
        self.cashiers: dict[str, Person] = {}  # store -> the cashier whose mobile gets typed
        self.company_mailboxes = max(1, int(customers * profile.company_email_share / 4))
        self.night_one_end = datetime.combine(as_of, time(17, 0), UTC)  # 00:00 in Vietnam
        self.night_two_end = self.night_one_end + timedelta(days=1)
        self.history_start = self.night_one_end - timedelta(days=HISTORY_DAYS)
        self.people: list[Person] = []
        self.next_record_id = 10_000_001
        self.next_lead_id = 1_024_000_000_000_001
        # What later nights need to know of the nights before (filled by `note_night`): the
        # devices never identified, in the order first seen, and every device's latest consent.
        self.anonymous_devices: dict[str, Person] = {}
        self.identified_devices: set[str] = set()
        self.device_consent: dict[str, tuple[datetime, dict[str, bool] | None]] = {}
        # The app draws from its own stream: person id -> their install (anonymousId, device).
        self.app_rng = random.Random(f"{seed}-app")
        self.app_install_of: dict[str, tuple[str, app.Device]] = {}
        self.app_owner_of: dict[str, Person] = {}  # install -> the person it is recorded as
        self.app_device_of: dict[str, app.Device] = {}  # install -> its device
        # Email draws from its own stream too, so adding it left every other record as it was.
        self.email_rng = random.Random(f"{seed}-email")
        self.members: dict[str, Member] = {}  # by the address, lower-cased: one per address
        # A family inbox's owner (the housemate whose address it is): an email tool's record of
        # the inbox that gives no name is recorded as theirs, since nothing in it says which of
        # the household subscribed.
        self.inbox_owner: dict[str, Person] = {}
        self.esp_contacts: list[EspContact] = []
        self.next_leid = 44_877_845
        # Mailchimp campaigns weekly over the half year before night 1; the local tool's
        # fortnightly.
        self.campaigns = [
            email.Campaign(f"{0x5a3e0000 + week:x}", f"Bản tin tuần {week}",
                           self.night_one_end - timedelta(days=7 * (26 - week), hours=9))
            for week in range(26)]
        self.esp_campaigns = [
            email.Campaign(f"esp-{fortnight}", f"Khuyến mãi {fortnight}",
                           self.night_one_end - timedelta(days=14 * (13 - fortnight), hours=5))
            for fortnight in range(13)]
        # Chat draws from its own stream too: Zalo accounts and Messenger threads, their ids
        # unique across both (they are the ground truth's record ids), and the people only chat
        # knows.
        self.chat_rng = random.Random(f"{seed}-chat")
        self.zalo_accounts: list[ZaloAccount] = []
        self.messenger_threads: list[MessengerThread] = []
        self.chat_ids: set[str] = set()
        self.chat_only_people = self.relatives = 0

    def moment_between(self, start: datetime, end: datetime) -> datetime:
        span = (end - start).total_seconds()
        return start + timedelta(seconds=int(self.rng.random() * span))

    def new_person(self) -> Person:
        rng, profile = self.rng, self.profile
        household_of = None
        if self.people and rng.random() < profile.household_share:
            household_of = self.people[rng.randrange(len(self.people))]
            head = self.household_of.get(household_of.person_id, household_of.person_id)
            if profile.household_max_size and \
                    self.household_sizes.get(head, 1) >= profile.household_max_size:
                household_of = None
        person = make_person(rng, len(self.people), household_of)
        if household_of is not None:
            self.join_household(person, household_of)
        elif profile.recycled_phone_share and len(self.people) > 10 and \
                rng.random() < profile.recycled_phone_share:
            person.phone = self.people[rng.randrange(len(self.people))].phone
            person.recycled_number = True
        if profile.company_email_share and rng.random() < profile.company_email_share:
            person.emails.append(self.company_mailbox(rng.randrange(self.company_mailboxes)))
        self.people.append(person)
        return person

    def join_household(self, person: Person, housemate: Person) -> None:
        rng, profile = self.rng, self.profile
        head = self.household_of.get(housemate.person_id, housemate.person_id)
        self.household_of[person.person_id] = head
        self.household_sizes[head] = self.household_sizes.get(head, 1) + 1
        if profile.household_family_name_share and \
                rng.random() < profile.household_family_name_share:
            person.family_name = housemate.family_name
        if profile.household_email_share and rng.random() < profile.household_email_share:
            person.emails.insert(0, housemate.emails[0])
            self.inbox_owner.setdefault(housemate.emails[0].lower(), housemate)

    @staticmethod
    def company_mailbox(number: int) -> str:
        box = vietnam.COMPANY_MAILBOX_NAMES[number % len(vietnam.COMPANY_MAILBOX_NAMES)]
        company, _, suffix = vietnam.COMPANY_DOMAINS[
            number // len(vietnam.COMPANY_MAILBOX_NAMES) % len(vietnam.COMPANY_DOMAINS)
        ].partition(".")
        series = number // (len(vietnam.COMPANY_MAILBOX_NAMES) * len(vietnam.COMPANY_DOMAINS))
        return f"{box}@{company}{series or ''}.{suffix}"

    def name_as_typed(self, person: Person) -> str:
        rng = self.rng
        if self.profile.name_variant_share and rng.random() < self.profile.name_variant_share:
            return render_name(rng, name_variant(rng, person))
        return render_name(rng, person.full_name)

    def junk_email(self) -> str:
        extra = vietnam.UNLISTED_JUNK_EMAILS if self.profile.unlisted_junk else []
        return self.rng.choice(vietnam.JUNK_EMAILS + extra)

    def junk_phone(self) -> str:
        extra = vietnam.UNLISTED_JUNK_PHONES if self.profile.unlisted_junk else []
        return self.rng.choice(vietnam.JUNK_PHONES + extra)

    # --- per-person activity -------------------------------------------------------------

    def plan_person(self, person: Person, night: Night, start: datetime, end: datetime) -> None:
        """All of one new person's records between `start` and `end`."""
        rng = self.rng
        has_web, has_crm = rng.random() < 0.7, rng.random() < 0.4
        has_social, buys = rng.random() < 0.3, rng.random() < 0.5
        if not (has_web or has_crm or has_social or buys):
            has_web = True
        if person.recycled_number:  # the number's previous owner used it years before
            start = start + (end - start) * 0.75
        first_seen = self.moment_between(start, end)
        if has_web:
            if rng.random() < 0.6:
                person.user_id = f"u{int(person.person_id[1:]):08d}"
            device_count = 1 + (rng.random() < 0.35) + (rng.random() < 0.1)
            for device in add_devices(rng, person, device_count):
                self.plan_browsing(person, device, night, first_seen, end, rng.random() < 0.8)
        if has_crm:
            self.plan_contact(person, night, first_seen, end, duplicate=False)
            if rng.random() < 0.06:
                self.plan_contact(person, night, first_seen, end, duplicate=True)
        leads_from = len(night.leads)
        if has_social:
            for _ in range(1 + (rng.random() < 0.15)):
                self.plan_lead(person, night, first_seen, end)
        if buys:
            self.plan_purchases(person, night, first_seen, end)
        self.plan_email(person, night, first_seen, end)
        self.plan_app(person, night, first_seen, end)
        self.plan_chat(person, night, first_seen, end, night.leads[leads_from:])

    def plan_browsing(
        self, person: Person, device: str, night: Night, start: datetime, end: datetime,
        identifies: bool, consent: dict[str, bool] | _Consent | None = _Consent.DRAW,
    ) -> None:
        """One to three sessions of a device; one of them logs in if `identifies`. The
        device's consent preferences are drawn afresh unless given (a known device's)."""
        rng = self.rng
        session_count = 1 + (rng.random() < 0.4) + (rng.random() < 0.1)
        starts = [self.moment_between(start, end) for _ in range(session_count)]
        if consent is _Consent.DRAW:
            consent = self.website_consent()
        # A device's preferences change forward in time: its sessions get them in time order.
        order_in_time = sorted(range(session_count), key=lambda number: starts[number])
        for number in order_in_time:
            session = Session(
                person, device, starts[number], identifies and number == 0, consent=consent,
            )
            if consent is not None and self.consent_rng.random() < 0.15:
                consent = self.website_consent(changed_from=consent)
                session.consent, session.consent_changed = consent, True
            night.sessions.append(session)

    def website_consent(self, changed_from: dict[str, bool] | None = None
                        ) -> dict[str, bool] | None:
        """A device's cookie-banner choices (half the devices never answer it), or a change of
        mind: one category flipped."""
        rng = self.consent_rng
        if changed_from is not None:
            flipped = rng.choice(["Advertising", "Analytics"])
            return {**changed_from, flipped: not changed_from[flipped]}
        if rng.random() < 0.5:
            return None
        return {"Advertising": rng.random() < 0.55, "Analytics": rng.random() < 0.75,
                "Functional": True}

    def plan_contact(
        self, person: Person, night: Night, start: datetime, end: datetime, duplicate: bool,
    ) -> None:
        rng, profile = self.rng, self.profile
        full_name = self.name_as_typed(person)
        last_name, _, first_name = full_name.partition(" ")
        emails = person.emails
        if duplicate:  # a second contact made from another form: other mailbox or other spelling
            email = render_email(rng, emails[-1])
        elif rng.random() < profile.junk_email_share:
            email = self.junk_email()
        else:
            email = render_email(rng, emails[0]) if rng.random() < 0.9 else ""
        phone = render_phone(rng, person.phone) if rng.random() < 0.7 else ""
        if rng.random() < profile.junk_phone_share:
            phone = self.junk_phone()
        mobile = render_phone(rng, person.phone) if rng.random() < 0.35 else ""
        created = self.moment_between(start, end)
        contact = Contact(
            person=person,
            record_id=self.next_record_id,
            first_name=first_name,
            last_name=last_name,
            email=email,
            phone=phone,
            mobile_phone=mobile,
            lifecycle_stage=rng.choice(crm.LIFECYCLE_STAGES[:4]),
            created_at=created,
            modified_at=self.moment_between(created, end),
            is_marketing_contact=rng.random() < 0.7,
            owner=crm.pick_owner(rng.random()),
            unsubscribed_from_all_email=self.consent_rng.random() < 0.1,
        )
        self.next_record_id += 1 + rng.randrange(3)
        night.contacts.append(contact)

    def plan_lead(self, person: Person, night: Night, start: datetime, end: datetime) -> None:
        rng = self.rng
        roll = rng.random()
        if roll < 0.65 or (len(person.emails) == 1 and roll < 0.9):
            email = render_email(rng, person.emails[0])
        elif roll < 0.9:
            email = render_email(rng, person.emails[1])
        elif roll < 0.95:
            email = self.junk_email()
        else:
            email = ""
        roll = rng.random()
        if roll < 0.9:
            phone = f"p:+84{person.phone}"
        elif roll < 0.94:
            phone = "p:" + self.junk_phone()
        else:
            phone = ""
        night.leads.append(Lead(
            person=person,
            lead_id=f"l:{self.next_lead_id}",
            created_at=self.moment_between(start, end),
            campaign=rng.randrange(len(social.CAMPAIGNS)),
            platform="fb" if rng.random() < 0.7 else "ig",
            is_organic=rng.random() < 0.1,
            full_name=self.name_as_typed(person),
            email=email,
            phone=phone,
            disclaimer_responses=self.lead_disclaimer_responses(),
        ))
        self.next_lead_id += 1 + rng.randrange(50)

    def lead_disclaimer_responses(self) -> dict[str, bool]:
        """The custom disclaimer checkboxes of the lead form (most forms have one or two)."""
        rng = self.consent_rng
        if rng.random() < 0.3:
            return {}
        keys = ["email_opt_in"] + (["sms_zalo_opt_in"] if rng.random() < 0.5 else [])
        return {key: rng.random() < 0.6 for key in keys}

    def plan_app(self, person: Person, night: Night, start: datetime, end: datetime) -> None:
        """A person's app installs and sessions. A household member may instead share the
        family tablet of the person they live with: both sign in on it, days apart."""
        rng = self.app_rng
        head = self.household_of.get(person.person_id)
        family_tablet = self.app_install_of.get(head) if head else None
        if family_tablet and rng.random() < 0.6:
            install, device = family_tablet
            owner = self.app_owner_of[install]
            for _ in range(2 + rng.randrange(4)):
                moment = self.app_moment(start, end)
                night.app_sessions.append(self.app_session(person, install, device, moment))
                # The tablet's owner uses it in the same days.
                around = moment + timedelta(days=rng.uniform(-5, 5))
                night.app_sessions.append(self.app_session(owner, install, device, around))
            return
        if rng.random() >= 0.25:
            return
        device = app.new_device(rng)
        install = new_uuid(rng)
        self.app_install_of[person.person_id] = (install, device)
        self.app_owner_of[install], self.app_device_of[install] = person, device
        self.plan_install(person, install, device, night, start, end)
        if rng.random() < 0.15:  # reinstalled: a new install; iOS's vendor id may change too
            again = new_uuid(rng)
            if device.platform == "ios" and rng.random() < 0.5:
                device = app.new_device(rng)
            self.app_owner_of[again], self.app_device_of[again] = person, device
            self.plan_install(person, again, device, night, start + (end - start) * 0.5, end)

    def plan_install(self, person: Person, install: str, device: app.Device, night: Night,
                     start: datetime, end: datetime) -> None:
        rng = self.app_rng
        moments = sorted(self.app_moment(start, end) for _ in range(1 + rng.randrange(7)))
        for number, moment in enumerate(moments):
            night.app_sessions.append(self.app_session(person, install, device, moment,
                                                       first=number == 0))

    def plan_app_delta(self, night: Night, start: datetime, end: datetime) -> None:
        """A later night's app use: some installs opened again by their owner."""
        rng = self.app_rng
        for install, owner in self.app_owner_of.items():
            if rng.random() < 0.05:
                night.app_sessions.append(self.app_session(
                    owner, install, self.app_device_of[install], self.app_moment(start, end)))

    def app_session(self, person: Person, install: str, device: app.Device, start: datetime,
                    first: bool = False) -> AppSession:
        """One session; signed in with the person's account, or giving only an email."""
        rng = self.app_rng
        signed_in = person.user_id is not None and rng.random() < 0.8
        email = render_email(rng, person.emails[0]).strip() if (
            rng.random() < (0.4 if signed_in else 0.5)) else None
        return AppSession(person, install, device, start, first,
                          user_id=person.user_id if signed_in else None, email=email,
                          screens=app.screens(rng))

    def app_moment(self, start: datetime, end: datetime) -> datetime:
        return start + timedelta(seconds=int(self.app_rng.random()
                                             * max(0.0, (end - start).total_seconds())))

    # --- chat: Zalo OA and Messenger -----------------------------------------------------

    def plan_chat(self, person: Person, night: Night, start: datetime, end: datetime,
                  leads: list[Lead]) -> None:
        """A person's Zalo account and Messenger threads, if any: the ad of a lead they left
        on Facebook may open a thread. Now and then one more person, known to no other source,
        who only chats."""
        rng, profile = self.chat_rng, self.profile
        if rng.random() < profile.chat_zalo_share:
            self.plan_zalo(person, night, start, end)
        leads = [lead for lead in leads if lead.platform == "fb"]
        if leads and rng.random() < profile.chat_lead_ad_share:
            self.plan_messenger(person, night, start, end, leads[rng.randrange(len(leads))])
        elif rng.random() < profile.chat_messenger_share:
            self.plan_messenger(person, night, start, end)
        if rng.random() < profile.chat_only_share:
            stranger = make_person(rng, CHAT_ONLY_INDEX + self.chat_only_people, None)
            self.chat_only_people += 1
            if rng.random() < 0.7:
                self.plan_zalo(stranger, night, start, end)
            else:
                self.plan_messenger(stranger, night, start, end)

    def new_chat_id(self, shortest: int, longest: int) -> str:
        """A numeric id, as Zalo and Meta give them, unique among the sample's chat ids."""
        rng = self.chat_rng
        while True:
            digits = rng.randint(shortest, longest)
            value = str(rng.randrange(10 ** (digits - 1), 10 ** digits))
            if value not in self.chat_ids:
                self.chat_ids.add(value)
                return value

    def chat_moment(self, start: datetime, end: datetime) -> datetime:
        """When a conversation starts: not in the last two hours of a long span, so that most
        end inside it."""
        if end - start > timedelta(hours=12):
            end -= timedelta(hours=2)
        return start + timedelta(seconds=self.chat_rng.random()
                                 * max(0.0, (end - start).total_seconds()))

    def chat_says(self, person: Person) -> list[str]:
        """What a chatter types that has digits or an email in it, in any order: their phone,
        their email, a relative's phone, numbers that are no phone. Most type none of these."""
        rng, profile = self.chat_rng, self.profile
        says = []
        if rng.random() < profile.chat_phone_share:
            says.append(chat.own_phone_text(rng, person))
        if rng.random() < profile.chat_email_share:
            says.append(chat.email_text(rng, rng.choice(person.emails)))
        if rng.random() < profile.chat_other_phone_share:
            says.append(chat.other_phone_text(rng, self.relative_phone(person)))
        if rng.random() < profile.chat_number_share:
            says.append(chat.number_text(rng))
        rng.shuffle(says)
        return says

    def relative_phone(self, person: Person) -> str:
        """The phone of someone a chatter orders for: a person other sources know (linking it
        merges strangers), or a number no source has."""
        rng = self.chat_rng
        if rng.random() < 0.6:
            other = self.people[rng.randrange(len(self.people))]
            if other.phone != person.phone:
                return other.phone
        self.relatives += 1
        return make_person(rng, RELATIVE_INDEX + self.relatives, None).phone

    def plan_zalo(self, person: Person, night: Night, start: datetime, end: datetime) -> None:
        """A person's Zalo account with the shop's OAs: follows and conversations with one OA,
        perhaps a second of the same app or one of the other app; the OA's info form; unfollows.
        A family's account is used by a relative too, who gives their own phone later."""
        rng, profile = self.chat_rng, self.profile
        first = rng.choices(chat.OFFICIAL_ACCOUNTS, (70, 20, 10))[0]
        oas = [first]
        siblings = [oa for oa in chat.OFFICIAL_ACCOUNTS
                    if oa.app_id == first.app_id and oa != first]
        if siblings and rng.random() < profile.chat_second_oa_share:
            oas.append(rng.choice(siblings))
        if rng.random() < profile.chat_other_app_share:
            oas.append(next(oa for oa in chat.OFFICIAL_ACCOUNTS if oa.app_id != first.app_id))
        account = ZaloAccount(person, {}, {}, [], set())
        self.zalo_accounts.append(account)
        relative = None
        if rng.random() < profile.chat_family_account_share:
            relative = self.people[rng.randrange(len(self.people))]
            relative = relative if relative.phone != person.phone else None
        for number, oa in enumerate(oas):
            self.zalo_join(account, oa)
            # Who gives what in each conversation (their texts with digits, the info form?):
            # the owner in the first, on a family's account the relative in the last.
            gives: list[tuple[Person, list[str], bool]] = []
            if number == 0:
                says, info = self.chat_says(person), rng.random() < profile.chat_info_share
                if relative is not None and not info:
                    says.insert(0, chat.own_phone_text(rng, person))
                if says or info:
                    gives.append((person, says, info))
                if relative is not None:
                    typed = rng.random() < 0.5
                    gives.append((relative, [chat.own_phone_text(rng, relative)] if typed
                                  else [], not typed))
            follows = rng.random() < 0.8
            talks = 0 if follows and rng.random() < 0.35 else (
                1 + (rng.random() < 0.4) + (rng.random() < 0.15))
            turns: list[tuple[Person, list[str], bool]] = [(person, [], False)] * max(
                talks, len(gives))
            for turn, given in zip((0, -1), gives, strict=False):
                turns[turn] = given
            moments = sorted(self.chat_moment(start, end) for _ in range(len(turns) + follows))
            if follows:
                followed = moments.pop(0)
                self.zalo_follow(account, oa, night, followed)
            for moment, (who, says, info) in zip(moments, turns, strict=True):
                done = self.zalo_conversation(account, oa, night, moment, end, says)
                submitted = done + timedelta(seconds=rng.randrange(20, 600))
                if info and submitted < end:
                    night.zalo_events.append(ZaloEvent(
                        account, oa, submitted, "user_submit_info",
                        info=chat.submitted_info(rng, who)))
            if follows and rng.random() < profile.chat_unfollow_share:
                left = self.chat_moment(max(moments, default=followed), end)
                self.zalo_follow(account, oa, night, left, unfollow=True)
                if rng.random() < 0.3:
                    self.zalo_follow(account, oa, night, self.chat_moment(left, end))

    def zalo_join(self, account: ZaloAccount, oa: chat.OfficialAccount) -> None:
        """The account's ids with an OA it first talks to: one per OA, one per app."""
        if oa.app_id not in account.id_by_app:
            account.id_by_app[oa.app_id] = self.new_chat_id(16, 19)
        account.id_in_oa[oa.oa_id] = self.new_chat_id(16, 19)
        account.oas.append(oa)

    def zalo_follow(self, account: ZaloAccount, oa: chat.OfficialAccount, night: Night,
                    moment: datetime, unfollow: bool = False) -> None:
        source = "" if unfollow else chat.follow_source(self.chat_rng)
        if unfollow:
            account.following.discard(oa.oa_id)
        else:
            account.following.add(oa.oa_id)
        night.zalo_events.append(ZaloEvent(account, oa, moment,
                                           "unfollow" if unfollow else "follow", source=source))

    def zalo_conversation(self, account: ZaloAccount, oa: chat.OfficialAccount, night: Night,
                          moment: datetime, end: datetime, says: list[str]) -> datetime:
        """One conversation's messages, the customer's and the OA's; what would come after
        `end` is the next night's and is left out. Returns when its last message was sent."""
        rng = self.chat_rng
        for said in chat.conversation(rng, says):
            if moment + said.after >= end:
                break
            moment += said.after
            night.zalo_events.append(ZaloEvent(
                account, oa, moment, "message" if said.by_customer else "oa_send_text", said))
        return moment

    def plan_messenger(self, person: Person, night: Night, start: datetime, end: datetime,
                       lead: Lead | None = None) -> None:
        """A person's threads with the shop's Page (and now and then its second Page: another
        PSID). A thread opened from an ad starts with the ad's referral; from a lead's ad, soon
        after the lead, without the lead's id: only what the person types links them."""
        rng, profile = self.chat_rng, self.profile
        pages = list(chat.PAGES) if lead or rng.random() < 0.85 else list(reversed(chat.PAGES))
        if rng.random() >= profile.chat_second_page_share:
            pages = pages[:1]
        for number, page in enumerate(pages):
            thread = MessengerThread(person, page, self.new_chat_id(16, 17))
            self.messenger_threads.append(thread)
            talks = 1 + (rng.random() < 0.3) + (rng.random() < 0.1)
            if lead is not None and number == 0:
                soon = min(end, lead.created_at + timedelta(days=2))
                moments = [self.chat_moment(lead.created_at, soon)]
                moments += sorted(self.chat_moment(moments[0], end) for _ in range(talks - 1))
            else:
                moments = sorted(self.chat_moment(start, end) for _ in range(talks))
            says = self.chat_says(person) if number == 0 else []
            for talk, moment in enumerate(moments):
                opening = None
                if talk == 0:
                    opening = self.messenger_opening(lead if number == 0 else None)
                self.messenger_conversation(thread, night, moment, end,
                                            says if talk == 0 else [], opening)

    def messenger_opening(self, lead: Lead | None) -> tuple[str, dict | None] | None:
        """How a thread opens: the referral of the ad clicked (a lead's, or a click-to-Messenger
        ad's), the Get Started button, or a first message (None)."""
        if lead is not None:
            return "referral", chat.lead_ad_referral(lead)
        roll = self.chat_rng.random()
        if roll < 0.15:
            return "referral", chat.message_ad_referral(self.chat_rng)
        return ("get_started", None) if roll < 0.5 else None

    def messenger_conversation(self, thread: MessengerThread, night: Night, moment: datetime,
                               end: datetime, says: list[str],
                               opening: tuple[str, dict | None] | None) -> None:
        """One conversation: the opening, the customer's messages and the Page's echoes (an
        image's caption is a message of its own); what would come after `end` is left out."""
        rng = self.chat_rng
        if opening is not None:
            kind, referral = opening
            night.messenger_events.append(MessengerEvent(thread, moment, kind,
                                                         referral=referral))
        for said in chat.conversation(rng, says):
            if moment + said.after >= end:
                break
            moment += said.after
            if not said.by_customer:
                night.messenger_events.append(MessengerEvent(thread, moment, "echo", said))
                continue
            if said.kind == "image" and said.text:
                night.messenger_events.append(MessengerEvent(
                    thread, moment, "message", chat.Said(True, "image", "", said.after)))
                moment += timedelta(seconds=0.2 + 1.8 * rng.random())
                said = chat.Said(True, "text", said.text, said.after)
            night.messenger_events.append(MessengerEvent(thread, moment, "message", said))

    def plan_chat_delta(self, night: Night, start: datetime, end: datetime) -> None:
        """A later night's chat: a few accounts and threads talk again (now and then giving a
        phone for an order), a few Zalo accounts unfollow an OA or follow again one they
        left. Most people do not chat at all."""
        rng, profile = self.chat_rng, self.profile
        for account in self.zalo_accounts:
            roll = rng.random()
            if roll < CHAT_AGAIN_SHARE:
                oa = account.oas[rng.randrange(len(account.oas))]
                says = [chat.own_phone_text(rng, account.owner)] if (
                    rng.random() < profile.chat_phone_share / 2) else []
                self.zalo_conversation(account, oa, night, self.chat_moment(start, end), end,
                                       says)
            elif roll < CHAT_AGAIN_SHARE + CHAT_UNFOLLOW_SHARE and account.following:
                oa = next(oa for oa in account.oas if oa.oa_id in account.following)
                self.zalo_follow(account, oa, night, self.chat_moment(start, end), True)
            elif roll < CHAT_AGAIN_SHARE + CHAT_UNFOLLOW_SHARE + CHAT_FOLLOW_AGAIN_SHARE:
                left = [oa for oa in account.oas if oa.oa_id not in account.following]
                if left:
                    self.zalo_follow(account, left[0], night, self.chat_moment(start, end))
        for thread in self.messenger_threads:
            if rng.random() < CHAT_AGAIN_SHARE:
                says = [chat.own_phone_text(rng, thread.person)] if (
                    rng.random() < profile.chat_phone_share / 2) else []
                self.messenger_conversation(thread, night, self.chat_moment(start, end), end,
                                            says, None)

    def email_moment(self, start: datetime, end: datetime) -> datetime:
        return start + timedelta(seconds=int(self.email_rng.random()
                                             * (end - start).total_seconds()))

    def plan_email(self, person: Person, night: Night, start: datetime, end: datetime) -> None:
        """A person's Mailchimp membership, if any, with its activity up to `end`, and their
        contact in the local email tool, if any, with its events."""
        rng = self.email_rng
        if rng.random() < 0.45:
            roll = rng.random()
            if roll < 0.75:
                canonical = person.emails[0]
            elif roll < 0.9:
                canonical = person.emails[-1]
            else:  # an address no other source knows: the person's newsletter inbox
                local, _, domain = person.emails[0].partition("@")
                canonical = f"{local}.tin@{domain}"
            if canonical.lower() not in self.members:  # a family inbox subscribes once
                self.plan_member(person, canonical, night, start, end)
        if rng.random() < 0.15:
            # The local tool's contacts give no name: a family inbox's is its owner's.
            contact = EspContact(self.inbox_owner.get(person.emails[0].lower(), person),
                                 f"esp_{len(self.esp_contacts) + 1:07d}",
                                 render_email(rng, person.emails[0]).strip(),
                                 legacy_keys=rng.random() < 0.2)
            self.esp_contacts.append(contact)
            moment = self.email_moment(start, end)
            events = self.esp_campaign_events(contact, [
                campaign for campaign in self.esp_campaigns if campaign.sent_at > moment])
            if events:
                night.esp_events.append((contact, events))

    def plan_member(self, person: Person, canonical: str, night: Night, start: datetime,
                    end: datetime) -> None:
        rng = self.email_rng
        named = rng.random() < 0.6
        family_and_middle = f"{person.family_name} {person.middle_name}"
        opted_in = self.email_moment(start, end)
        if not named:
            person = self.inbox_owner.get(canonical.lower(), person)
        member = Member(
            person=person, euid=f"{rng.getrandbits(40):010x}", leid=self.next_leid,
            address=render_email(rng, canonical).strip(),
            first_name=render_name(rng, person.given_name) if named else "",
            last_name=render_name(rng, family_and_middle) if named else "",
            phone=render_phone(rng, person.phone) if rng.random() < 0.25 else "",
            opted_in_at=opted_in, open_rate=rng.betavariate(1.5, 3.0),
        )
        self.next_leid += 1 + rng.randrange(5)
        self.members[canonical.lower()] = member
        roll = rng.random()
        if roll < 0.06:
            member.status = "nonsubscribed"
        elif roll < 0.15:
            member.status = "unsubscribed"
        elif roll < 0.22:
            member.status = "cleaned"
        if member.status in ("unsubscribed", "cleaned"):
            member.changed_at = opted_in + (end - opted_in) * rng.random()
        stop = member.changed_at or end
        if member.status != "nonsubscribed":
            for campaign in self.campaigns:
                if opted_in < campaign.sent_at < stop:
                    night.activity += self.campaign_activity(member, campaign)
        if member.status == "cleaned":
            sent = [campaign for campaign in self.campaigns if campaign.sent_at <= stop]
            if sent:
                night.activity.append(Activity(member, sent[-1], "bounce", stop, "hard"))
        night.members.append(member)

    def campaign_activity(self, member: Member, campaign: email.Campaign) -> list[Activity]:
        """What a member did with one campaign: open, perhaps click; now and then a soft
        bounce (a full mailbox), which changes nothing."""
        rng = self.email_rng
        if rng.random() < 0.01:
            return [Activity(member, campaign, "bounce", campaign.sent_at, "soft")]
        if rng.random() >= member.open_rate:
            return []
        opened = campaign.sent_at + timedelta(minutes=rng.randrange(5, 4000))
        done = [Activity(member, campaign, "open", opened)]
        if rng.random() < 0.3:
            done.append(Activity(member, campaign, "click",
                                 opened + timedelta(seconds=rng.randrange(5, 600))))
        return done

    def esp_campaign_events(self, contact: EspContact, campaigns: list[email.Campaign]
                            ) -> list[tuple[str, datetime, dict]]:
        """The local tool's events for a contact: each email delivered, opened, clicked; a
        bounce, a spam complaint or an unsubscribe ends the contact's emails."""
        rng = self.email_rng
        events = []
        for campaign in campaigns:
            if contact.stopped:
                break
            properties = {"email_id": f"{campaign.campaign_id}-{contact.user_id}",
                          "email_subject": campaign.title, "campaign_id": campaign.campaign_id,
                          "campaign_name": campaign.title}
            roll = rng.random()
            if roll < 0.02:
                events.append(("Email Bounced", campaign.sent_at, properties))
                contact.stopped = True
                continue
            events.append(("Email Delivered", campaign.sent_at, properties))
            opened = campaign.sent_at + timedelta(minutes=rng.randrange(5, 3000))
            if rng.random() < 0.35:
                events.append(("Email Opened", opened, properties))
                if rng.random() < 0.25:
                    events.append(("Email Link Clicked", opened + timedelta(seconds=30),
                                   {**properties, "link_url": rng.choice(email.LINKS)}))
            roll = rng.random()
            if roll < 0.01:
                events.append(("Email Marked as Spam", opened + timedelta(minutes=1), properties))
                contact.stopped = True
            elif roll < 0.04:
                events.append(("Unsubscribed", opened + timedelta(minutes=2),
                               {**properties, "list_id": "newsletter"}))
                contact.stopped = True
        return events

    def plan_email_delta(self, night: Night, start: datetime, end: datetime) -> None:
        """A later night's email: perhaps a Mailchimp campaign and its activity, members
        unsubscribing, bouncing or coming back (only changed members are exported), and the
        local tool's fortnightly email."""
        rng = self.email_rng
        if rng.random() < 0.5:
            campaign = email.Campaign(f"{0x5a3f0000 + len(self.campaigns):x}",
                                      f"Bản tin {start.date()}", start + timedelta(hours=3))
            self.campaigns.append(campaign)
            for member in self.members.values():
                if member.status == "subscribed" and member.opted_in_at < campaign.sent_at:
                    night.activity += self.campaign_activity(member, campaign)
        for member in self.members.values():
            roll = rng.random()
            if member.status == "subscribed" and roll < 0.004:
                member.status, member.changed_at = "unsubscribed", self.email_moment(start, end)
            elif member.status == "subscribed" and roll < 0.006:
                member.status, member.changed_at = "cleaned", self.email_moment(start, end)
                if self.campaigns:
                    night.activity.append(Activity(member, self.campaigns[-1], "bounce",
                                                   member.changed_at, "hard"))
            elif member.status == "unsubscribed" and roll < 0.02:  # subscribed again
                member.status = "subscribed"
                member.opted_in_at = member.changed_at = self.email_moment(start, end)
            else:
                continue
            night.members.append(member)
        if rng.random() < 1 / 14:
            campaign = email.Campaign(f"esp-{len(self.esp_campaigns)}",
                                      f"Khuyến mãi {start.date()}", start + timedelta(hours=2))
            self.esp_campaigns.append(campaign)
            for contact in self.esp_contacts:
                events = self.esp_campaign_events(contact, [campaign])
                if events:
                    night.esp_events.append((contact, events))

    def plan_purchases(self, person: Person, night: Night, first_seen: datetime,
                       end: datetime) -> None:
        """A buyer's orders as customers buy: each at their own pace until they quietly stop.

        Each buyer has a purchase rate (gamma across buyers: most buy rarely, a few often) and a
        chance of never coming back after each order (beta across buyers); orders follow at
        exponential gaps. Heavier buyers also spend more per order, and a Tết rush brings some
        orders forward, so that no prediction model finds exactly the process it assumes.
        """
        rng = self.rng
        process = self.purchase_process()
        if process == "seasonal":
            self.plan_seasonal_purchases(person, night, first_seen, end)
            return
        rate_per_day = rng.gammavariate(PURCHASE_RATE_SHAPE,
                                        PURCHASE_RATE_MEAN / PURCHASE_RATE_SHAPE)
        dropout = rng.betavariate(*DROPOUT_BETA)
        if process == "lapsing":  # leaves at a moment of their own, whatever they bought
            dropout = 0.0
            end = min(end, first_seen + timedelta(
                days=rng.expovariate(1 / LAPSING_LIFETIME_MEAN_DAYS)))
        # What a buyer usually spends varies from person to person (lognormal), and regulars
        # buy bigger baskets.
        basket = rng.lognormvariate(0, 0.6) * (1 + min(rate_per_day * 60, 1))
        moment = self.moment_between(first_seen, min(end, first_seen + timedelta(days=30)))
        for _ in range(MAX_ORDERS_PER_BUYER):
            if moment >= end:
                break
            if moment.month == 1 and rng.random() < 0.3:  # the weeks before Tết
                moment = max(first_seen, moment - timedelta(days=rng.randrange(1, 14)))
            self.plan_order(person, night, moment, moment, basket=basket)
            if rng.random() < dropout:
                break
            gap_days = (rng.gammavariate(REGULAR_GAP_SHAPE, 1 / (rate_per_day * REGULAR_GAP_SHAPE))
                        if process == "regular" else rng.expovariate(rate_per_day))
            if gap_days > HISTORY_DAYS:  # a rate so low the next order is after the window
                break
            moment += timedelta(days=gap_days)

    def purchase_process(self) -> str:
        """How this buyer buys, by the profile's shares ("random": the default process). No
        draw at all when the profile has none, so such a population is as it always was."""
        profile = self.profile
        shares = [("regular", profile.regular_buyer_share),
                  ("seasonal", profile.seasonal_buyer_share),
                  ("lapsing", profile.lapsing_buyer_share)]
        if not any(share for _, share in shares):
            return "random"
        draw = self.rng.random()
        for process, share in shares:
            if draw < share:
                return process
            draw -= share
        return "random"

    def plan_seasonal_purchases(self, person: Person, night: Night, first_seen: datetime,
                                end: datetime) -> None:
        """A buyer who shops for Tết only: in the three weeks before it, most years, a gift-sized
        basket, until they leave after some Tết (beta dropout, as other buyers)."""
        rng = self.rng
        dropout = rng.betavariate(*DROPOUT_BETA)
        basket = rng.lognormvariate(0.4, 0.6)
        for tet in TET_DATES:
            rush_start = datetime.combine(tet - timedelta(days=21), time(2, 0), UTC)
            rush_end = datetime.combine(tet, time(2, 0), UTC)
            if rush_end <= first_seen or rng.random() >= SEASONAL_YEAR_SHARE:
                continue
            if rush_start >= end:
                break
            moment = self.moment_between(max(rush_start, first_seen), min(rush_end, end))
            self.plan_order(person, night, moment, moment, basket=basket)
            if rng.random() < dropout:
                break

    def plan_order(self, person: Person, night: Night, start: datetime, end: datetime,
                   basket: float = 1.0) -> None:
        rng = self.rng
        lines = [
            (*rng.choice(vietnam.PRODUCTS), max(1, round(basket * rng.uniform(0.6, 1.6))))
            for _ in range(1 + (rng.random() < 0.4) + (rng.random() < 0.15))
        ]
        created = self.moment_between(start, end)
        if person.devices and rng.random() < 0.55:
            order = Order(
                person=person, created_at=created, source="web", lines=lines,
                email=render_email(rng, person.emails[0]),
                phone=render_phone(rng, person.phone) if rng.random() < 0.9 else "",
                billing_name=self.name_as_typed(person), location="",
                device=rng.choice(person.devices), accepts_marketing=rng.random() < 0.5,
            )
            night.sessions.append(Session(
                person, order.device, created - timedelta(minutes=12), False, order,
            ))
        else:
            store, _, store_phone = rng.choice(vietnam.STORES)
            roll = rng.random()
            profile = self.profile
            if roll < 1 - profile.walk_in_share:
                phone, name = render_phone(rng, person.phone), self.name_as_typed(person)
            elif self.varied_walk_ins:
                phone, name = self.walk_in(person, store, store_phone)
            elif roll < 0.9:  # walk-in: the cashier types the store's own number
                phone, name = store_phone, WALK_IN_NAME
            else:
                phone, name = "", WALK_IN_NAME
            walk_in = roll >= 1 - profile.walk_in_share
            email_share = profile.walk_in_email_share if walk_in else 0.25
            email = render_email(rng, person.emails[0]) if rng.random() < email_share else ""
            order = Order(
                person=person, created_at=created, source="pos", lines=lines, email=email,
                phone=phone, billing_name=name, location=store,
            )
        night.orders.append(order)

    @property
    def varied_walk_ins(self) -> bool:
        profile = self.profile
        return bool(profile.walk_in_real_name_share or profile.walk_in_empty_name_share
                    or profile.walk_in_cashier_mobile_share)

    def walk_in(self, person: Person, store: str, store_phone: str) -> tuple[str, str]:
        """The phone and name a cashier types for a customer in a hurry."""
        rng, profile = self.rng, self.profile
        if profile.mobile_store_phones:
            number = [name for name, _, _ in vietnam.STORES].index(store)
            if number:
                store_phone = vietnam.STORE_MOBILES[number]
        roll = rng.random()
        if roll < profile.walk_in_cashier_mobile_share:
            if store not in self.cashiers:
                self.cashiers[store] = self.people[rng.randrange(len(self.people))]
            phone = render_phone(rng, self.cashiers[store].phone)
        elif roll < 0.9:
            phone = store_phone
        else:
            phone = ""
        roll = rng.random()
        if roll < profile.walk_in_real_name_share:
            name = self.name_as_typed(person)
        elif roll < profile.walk_in_real_name_share + profile.walk_in_empty_name_share:
            name = ""
        else:
            name = rng.choice(WALK_IN_NAMES)
        return phone, name

    # --- nights 2 and later: what changes about people already known ----------------------

    def plan_next_night(self, known: list[Person], night_one: Night, night: Night) -> None:
        """Night 2: any of night 1's orders may be refunded, contacts only move along the
        funnel."""
        self.plan_delta(known, night_one.contacts, night_one.orders, night,
                        self.night_one_end, self.night_two_end, NIGHT_TWO_RATES)
        self.plan_email_delta(night, self.night_one_end, self.night_two_end)
        self.plan_app_delta(night, self.night_one_end, self.night_two_end)
        self.plan_chat_delta(night, self.night_one_end, self.night_two_end)

    def plan_later_night(self, known: list[Person], contacts: list[Contact], orders: list[Order],
                         night: Night, start: datetime, end: datetime) -> None:
        """A night after the second: refunds of orders weeks or months old, contacts changing
        phone, email or consent, and late identifies of devices that browsed anonymously."""
        oldest, newest = (start - timedelta(days=days) for days in reversed(REFUND_AGE_DAYS))
        refundable = [order for order in orders if order.financial_status == "paid"
                      and oldest <= order.created_at < newest]
        self.plan_delta(known, contacts, refundable, night, start, end, LATER_NIGHT_RATES,
                        later=True)
        self.plan_email_delta(night, start, end)
        self.plan_app_delta(night, start, end)
        self.plan_chat_delta(night, start, end)

    def plan_delta(
        self, known: list[Person], contacts: list[Contact], orders: list[Order], night: Night,
        start: datetime, end: datetime, rates: DeltaRates, later: bool = False,
    ) -> None:
        """One night's changes between `start` and `end` to people, contacts and orders already
        written. Night 2 (`later` false) draws exactly as it always has."""
        rng = self.rng
        for person in known:
            if person.devices and rng.random() < rates.browse:
                device = (
                    add_devices(rng, person, 1)[0] if rng.random() < rates.new_device
                    else rng.choice(person.devices)
                )
                consent = self.known_consent(device) if later else _Consent.DRAW
                self.plan_browsing(person, device, night, start, end,
                                   rng.random() < rates.identify, consent)
            if rng.random() < rates.order:
                self.plan_order(person, night, start, end)
            if rng.random() < rates.lead:
                self.plan_lead(person, night, start, end)
        for contact in contacts:
            roll = rng.random()
            if roll < rates.contact_update:
                if later:
                    self.change_contact(contact)
                else:  # a salesperson moved the contact along the funnel
                    self.advance_stage(contact)
                contact.modified_at = self.moment_between(start, end)
                night.contacts.append(contact)
            elif roll < rates.contact_reexport:  # unchanged, inside the "modified since" window
                night.contacts.append(contact)
        for order in orders:
            if rng.random() < rates.refund:
                self.refund(order)
                night.orders.append(order)
        if later:
            self.plan_late_identifies(night, start, end, rates.late_identify)

    def advance_stage(self, contact: Contact) -> None:
        stage = crm.LIFECYCLE_STAGES.index(contact.lifecycle_stage)
        contact.lifecycle_stage = crm.LIFECYCLE_STAGES[min(stage + 1 + self.rng.randrange(2), 6)]

    def change_contact(self, contact: Contact) -> None:
        """A later night's contact update: mostly a new lifecycle stage, sometimes a phone or
        email changed, now and then the contact unsubscribing from (or back to) email."""
        rng, person = self.rng, contact.person
        roll = rng.random()
        if roll < 0.6:
            self.advance_stage(contact)
        elif roll < 0.8:  # a number added or typed again by another salesperson
            if not contact.mobile_phone and rng.random() < 0.5:
                contact.mobile_phone = render_phone(rng, person.phone)
            else:
                contact.phone = render_phone(rng, person.phone)
        else:  # the person gave another mailbox: one they had, or a new one
            others = [email for email in person.emails
                      if email.lower() != contact.email.strip().lower()]
            if not others or rng.random() < 0.3:
                local, _, domain = person.emails[0].partition("@")
                others = [f"{local}moi{len(person.emails)}@{domain}"]  # "moi": new
                person.emails.append(others[0])
            contact.email = render_email(rng, rng.choice(others))
        if self.consent_rng.random() < 0.1:
            contact.unsubscribed_from_all_email = not contact.unsubscribed_from_all_email

    def known_consent(self, device: str) -> dict[str, bool] | _Consent | None:
        """The device's latest consent preferences, if it browsed before."""
        seen = self.device_consent.get(device)
        return _Consent.DRAW if seen is None else seen[1]

    def plan_late_identifies(self, night: Night, start: datetime, end: datetime,
                             share: float) -> None:
        """Devices that browsed on an earlier night and never logged in now do: the identify
        joins their earlier anonymous sessions to a known customer. At least one a night."""
        rng = self.rng
        devices = list(self.anonymous_devices.items())
        chosen = [(device, person) for device, person in devices if rng.random() < share]
        if not chosen and devices:
            chosen = [devices[rng.randrange(len(devices))]]
        for device, person in chosen:
            if person.user_id is None:  # registers now
                person.user_id = f"u{int(person.person_id[1:]):08d}"
            self.plan_browsing(person, device, night, start, end, True,
                               self.known_consent(device))

    def note_night(self, night: Night) -> None:
        """Remember which devices a planned night identifies, and their consent, for the nights
        after it. Draws nothing."""
        for session in night.sessions:
            device = session.device
            if session.identify and session.person.user_id:
                self.identified_devices.add(device)
                self.anonymous_devices.pop(device, None)
            elif device not in self.identified_devices:
                self.anonymous_devices.setdefault(device, session.person)
            if session.order is None:  # order sessions carry no consent context
                seen = self.device_consent.get(device)
                if seen is None or session.start >= seen[0]:
                    self.device_consent[device] = (session.start, session.consent)

    def refund(self, order: Order) -> None:
        if len(order.lines) == 1 or self.rng.random() < 0.7:
            order.financial_status, order.refunded_amount = "refunded", order.total
        else:
            _, _, price, quantity = order.lines[-1]
            order.financial_status, order.refunded_amount = "partially_refunded", price * quantity


def _name_orders(orders: list[Order], first_number: int) -> int:
    """Shopify numbers orders in the order they were placed."""
    orders.sort(key=lambda order: order.created_at)
    for number, order in enumerate(orders, start=first_number):
        order.name = f"#{number}"
        order.shopify_id = 5_900_000_000_000 + number * 7
    return first_number + len(orders)


# --- writing ---------------------------------------------------------------------------------


def _write_csv(path: Path, columns: list[str], rows: Iterator[list[str]]) -> int:
    path.parent.mkdir(parents=True, exist_ok=True)
    count = 0
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(columns)
        for row in rows:
            writer.writerow(row)
            count += 1
    return count


def _write_events(path: Path, sessions: list[Session], rng: random.Random) -> int:
    path.parent.mkdir(parents=True, exist_ok=True)
    sessions.sort(key=lambda session: session.start)
    count = 0
    # No compression time in the gzip header (mtime=0): the same seed writes the same bytes.
    with (gzip.GzipFile(path, "wb", mtime=0) if path.suffix == ".gz" else path.open("wb")
          ) as handle:
        for session in sessions:
            messages = website.session_messages(
                rng, session.person, session.device, session.start, session.identify,
                session.order, session.consent, session.consent_changed,
            )
            handle.write(b"".join(orjson.dumps(message) + b"\n" for message in messages))
            count += len(messages)
    return count


def _write_night(folder: Path, night: Night, day: date, gzip_events: bool, seed: int,
                 label: str | None = None) -> dict:
    """Write one night's files under `folder`; record counts keyed `<label>/<file>`."""
    stamp = day.isoformat()
    events_name = f"events_{stamp}.jsonl" + (".gz" if gzip_events else "")
    written = {
        f"website/{events_name}": _write_events(
            # A stream of its own: seeded as the planner's, its message ids would repeat the
            # planner's device ids (an erased device's id turning up in a stranger's event).
            folder / "website" / events_name, night.sessions,
            random.Random(f"{seed}-website-rows"),
        ),
        f"crm/hubspot-crm-exports-all-contacts-{stamp}.csv": _write_csv(
            folder / "crm" / f"hubspot-crm-exports-all-contacts-{stamp}.csv", crm.COLUMNS,
            (crm.contact_row(contact) for contact in night.contacts),
        ),
        f"social/meta-lead-ads-{stamp}.csv": _write_csv(
            folder / "social" / f"meta-lead-ads-{stamp}.csv", social.COLUMNS,
            (social.lead_row(lead) for lead in night.leads),
        ),
        f"pos/orders_export_{stamp}.csv": _write_csv(
            folder / "pos" / f"orders_export_{stamp}.csv", pos.COLUMNS,
            (row for order in night.orders for row in pos.order_rows(order)),
        ),
    }
    written |= _write_email(folder, night, stamp, random.Random(f"{seed}-email-rows"))
    if night.app_sessions:
        name = f"app/app_events_{stamp}.jsonl"
        rng = random.Random(f"{seed}-app-rows")
        night.app_sessions.sort(key=lambda session: session.start)
        written[name] = _write_lines(folder / name, (
            message for session in night.app_sessions
            for message in app.session_messages(rng, session)))
    # Chat's lines, in the order the webhooks were called, from a stream of their own.
    rng = random.Random(f"{seed}-chat-rows")
    if night.zalo_events:
        name = f"chat/zalo/zalo_events_{stamp}.jsonl"
        night.zalo_events.sort(key=lambda event: event.at)
        written[name] = _write_lines(folder / name, (
            chat.zalo_event(event, rng) for event in night.zalo_events))
    if night.messenger_events:
        name = f"chat/messenger/messenger_events_{stamp}.jsonl"
        night.messenger_events.sort(key=lambda event: event.at)
        written[name] = _write_lines(folder / name, (
            chat.messenger_messaging(event, rng) for event in night.messenger_events))
    return {f"{label or folder.name}/{name}": count for name, count in written.items()}


def _write_lines(path: Path, messages: Iterator[dict]) -> int:
    """JSON lines, one message a line."""
    path.parent.mkdir(parents=True, exist_ok=True)
    count = 0
    with path.open("wb") as handle:
        for message in messages:
            handle.write(orjson.dumps(message) + b"\n")
            count += 1
    return count


def _write_email(folder: Path, night: Night, stamp: str, rng: random.Random) -> dict:
    """The night's email exports: Mailchimp's member files (the members new or changed, each in
    the file of its status, named as Mailchimp names them), its activity, and the local
    tool's Segment Email-spec events. Nothing is written for what the night does not hold."""
    written = {}
    for status in email.STATUS_COLUMNS:
        members = [member for member in night.members if member.status == status]
        if not members:
            continue
        # Mailchimp names every export alike; the night's date keeps nights apart (as a person
        # saving each download beside the last would).
        name = f"email/mailchimp/{status}_members_export_{email.LIST_ID}_{stamp}.csv"
        written[name] = _write_csv(folder / name, email.STATUS_COLUMNS[status],
                                   (email.member_row(member, status, rng) for member in members))
    if night.activity:
        name = f"email/mailchimp_activity/email_activity_{stamp}.csv"
        night.activity.sort(key=lambda activity: activity.at)
        written[name] = _write_csv(folder / name, email.ACTIVITY_COLUMNS,
                                   (email.activity_row(activity, rng)
                                    for activity in night.activity))
    if night.esp_events:
        name = f"email/events/esp_events_{stamp}.jsonl"
        (folder / name).parent.mkdir(parents=True, exist_ok=True)
        count = 0
        with (folder / name).open("wb") as handle:
            for contact, events in night.esp_events:
                contact.events = events
                for message in email.esp_messages(contact, rng):
                    handle.write(orjson.dumps(message) + b"\n")
                    count += 1
        written[name] = count
    return written


def _ground_truth_rows(nights: list[Night], owner_of: dict[str, Person]
                       ) -> Iterator[list[str]]:
    """One row per source record, keyed as the marts key records (website: the device)."""
    seen: set[tuple[str, str]] = set()
    for night in nights:
        keyed = [
            *(("website", session.device, session.person) for session in night.sessions),
            *(("crm", str(contact.record_id), contact.person) for contact in night.contacts),
            *(("social", lead.lead_id, lead.person) for lead in night.leads),
            *(("pos", order.name, order.person) for order in night.orders),
            *(("email", member.euid, member.person) for member in night.members),
            *(("email", activity.member.email_id, activity.member.person)
              for activity in night.activity),
            *(("email", contact.user_id, contact.person) for contact, _ in night.esp_events),
            # A family tablet is recorded as its owner's, whoever signs in on it.
            *(("app", session.install, owner_of[session.install])
              for session in night.app_sessions),
            # Zalo: the account's id in the OA's app (a family account: its owner's);
            # Messenger: the PSID.
            *(("chat", event.account.id_by_app[event.oa.app_id], event.account.owner)
              for event in night.zalo_events),
            *(("chat", event.thread.psid, event.thread.person)
              for event in night.messenger_events),
        ]
        for source, record_id, person in keyed:
            if (source, record_id) not in seen:
                seen.add((source, record_id))
                yield [source, record_id, person.person_id]


def night_folders(out_dir: Path) -> list[Path]:
    """The nights written under `out_dir`, in delivery order: `exports` (night 1),
    `next_night` (night 2), then `later_nights/<YYYY-MM-DD>` by date."""
    out_dir = Path(out_dir)
    folders = [out_dir / name for name in (EXPORTS_DIR, NEXT_NIGHT_DIR)
               if (out_dir / name).is_dir()]
    later = out_dir / LATER_NIGHTS_DIR
    if later.is_dir():
        folders += sorted(path for path in later.iterdir() if path.is_dir())
    return folders


def generate_sample_exports(
    out_dir: Path, customers: int, seed: int = 42, as_of: date = date(2026, 11, 22),
    profile: SampleProfile = DEFAULT, nights: int = 2,
) -> SampleSummary:
    """Write `nights` nights of exports (at least 2) for `customers` people, deterministically
    from `seed`, with the identity hazards of `profile`. Nights 1 and 2 are the same whatever
    `nights` is; each later night is planned after the one before it is written."""
    if nights < 2:
        raise ValueError(f"nights must be at least 2 (exports/ and next_night/), not {nights}")
    planner = _Planner(seed, as_of, profile, customers)
    night_one, night_two = Night(), Night()
    for _ in range(customers):
        planner.plan_person(planner.new_person(), night_one, planner.history_start,
                            planner.night_one_end)
    next_order_number = _name_orders(night_one.orders, 1001)
    known = list(planner.people)
    # Night-1 rows are written before night 2 mutates refunded orders and updated contacts.
    files = _write_night(out_dir / EXPORTS_DIR, night_one, as_of, gzip_events=False, seed=seed)
    planner.plan_next_night(known, night_one, night_two)
    new_people = max(1, int(customers * NEW_PEOPLE_SHARE))
    for _ in range(new_people):
        planner.plan_person(planner.new_person(), night_two, planner.night_one_end,
                            planner.night_two_end)
    new_orders = [order for order in night_two.orders if not order.name]
    next_order_number = _name_orders(new_orders, next_order_number)
    night_two.orders.sort(key=lambda order: order.created_at)
    files |= _write_night(
        out_dir / NEXT_NIGHT_DIR, night_two, as_of + timedelta(days=1), gzip_events=True,
        seed=seed + 1,
    )
    written = [night_one, night_two]
    # What later nights may change: every order and contact so far, each once.
    orders = night_one.orders + new_orders
    contacts = {contact.record_id: contact
                for night in written for contact in night.contacts}
    if nights > 2:
        for night in written:
            planner.note_night(night)
    for number in range(3, nights + 1):
        night = Night()
        start = planner.night_one_end + timedelta(days=number - 2)
        end = start + timedelta(days=1)
        planner.plan_later_night(list(planner.people), list(contacts.values()), orders, night,
                                 start, end)
        for _ in range(new_people):
            planner.plan_person(planner.new_person(), night, start, end)
        new_orders = [order for order in night.orders if not order.name]
        next_order_number = _name_orders(new_orders, next_order_number)
        night.orders.sort(key=lambda order: order.created_at)
        day = as_of + timedelta(days=number - 1)
        label = f"{LATER_NIGHTS_DIR}/{day.isoformat()}"
        # Events gzipped on even nights, as night 2's, plain on odd ones, as night 1's.
        files |= _write_night(out_dir / label, night, day, gzip_events=number % 2 == 0,
                              seed=seed + number - 1, label=label)
        written.append(night)
        orders += new_orders
        contacts |= {contact.record_id: contact for contact in night.contacts}
        planner.note_night(night)
    files["ground_truth.csv"] = _write_csv(
        out_dir / "ground_truth.csv", ["source", "record_id", "person_id"],
        _ground_truth_rows(written, planner.app_owner_of),
    )
    return SampleSummary(people=len(planner.people), files=files)
