"""A corpus of identifiers written the way people write them in notes and stories, and near-misses.

Used by `tests/test_identifier_corpus.py` (which holds the scanner to its recall and false-positive aims per
kind) and by `benchmarks/identifier_recall.py` (which prints the table for the README).

Where values have check digits they are made by code, but never with our own check-digit arithmetic:
an NHI is valid because `python-nhi` (the maintained implementation of the Ministry of Health's
validation routine) says so, an IRD number because `python-stdnum` computed its check digit, a phone number
because libphonenumber says it is a valid New Zealand number, a street address because Faker's en_NZ
provider wrote it. Every NHI starts with Z (the range kept for testing) and every person is made up.

Each case is one piece of text with the kind it holds, or with no kind for a near-miss that must not be
flagged; `values` are the substrings that must be gone after redaction.
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from dataclasses import dataclass, field

import nhi as python_nhi
import phonenumbers
from faker import Faker
from stdnum.nz import ird as stdnum_ird

KINDS = ("nhi", "ird", "phone", "email", "address", "dob", "name")
NHI_LETTERS = "ABCDEFGHJKLMNPQRSTUVWXYZ"
SEED = 2026


@dataclass(frozen=True)
class Case:
    """One text. `kind` is what it holds (None: a near-miss of `resembles` that must not be flagged)."""

    text: str
    resembles: str
    kind: str | None
    form: str
    values: tuple[str, ...] = field(default=())


def positive(kind: str, form: str, template: str, *values: str) -> Case:
    return Case(template.format(*values), kind, kind, form, tuple(values))


def negative(resembles: str, form: str, text: str) -> Case:
    return Case(text, resembles, None, form)


# --- NHI -------------------------------------------------------------------------------------------
def valid_nhis(rng: random.Random, count: int, new_format: bool) -> list[str]:
    """Test-range NHIs (first letter Z) that python-nhi accepts: a random stem and whichever check
    character python-nhi says completes it."""
    found: list[str] = []
    while len(found) < count:
        stem = "Z" + "".join(rng.choice(NHI_LETTERS) for _ in range(2)) + f"{rng.randrange(100):02d}"
        stem += rng.choice(NHI_LETTERS) if new_format else str(rng.randrange(10))
        pool = NHI_LETTERS if new_format else "0123456789"
        valid = [stem + c for c in pool if python_nhi.is_nhi(stem + c, allow_test_values=True)]
        if valid:
            found.append(valid[0])
    return found


def invalid_nhis(rng: random.Random, count: int) -> list[str]:
    """NHI-shaped strings that python-nhi rejects (a wrong check character)."""
    found: list[str] = []
    while len(found) < count:
        text = "Z" + "".join(rng.choice(NHI_LETTERS) for _ in range(2)) + f"{rng.randrange(10000):04d}"
        if not python_nhi.is_nhi(text, allow_test_values=True):
            found.append(text)
    return found


def _spaced(value: str, sep: str) -> str:
    return sep.join(value)


NHI_FORMS = {
    "upper": lambda v: v,
    "lower": str.lower,
    "title": lambda v: v[0] + v[1:3].lower() + v[3:],
    "space inside": lambda v: v[:3] + " " + v[3:],
    "dash inside": lambda v: v[:3] + "-" + v[3:],
    "lower with space": lambda v: (v[:3] + " " + v[3:]).lower(),
    "lower with dash": lambda v: (v[:3] + "-" + v[3:]).lower(),
    "letter by letter": lambda v: _spaced(v, " "),
    "letter by letter, dashes": lambda v: _spaced(v, "-"),
    "letter by letter, lower": lambda v: _spaced(v.lower(), " "),
    "grouped 3-2-2": lambda v: f"{v[:3]} {v[3:5]} {v[5:]}",
}
NHI_SENTENCES = (
    "NHI {}",
    "nhi: {}",
    "Her NHI is {}.",
    "Pt NHI no. {} seen by GP",
    "({}) referred by Plunket",
    "NHI#{} on the referral",
    "nhi number {} - check with whānau",
    "Baby's number is {} per the Well Child book",
)


def nhi_cases(rng: random.Random) -> Iterator[Case]:
    values = valid_nhis(rng, 40, new_format=False) + valid_nhis(rng, 20, new_format=True)
    forms = list(NHI_FORMS.items())
    for i, value in enumerate(values):
        for j in range(3):
            form, write = forms[(i * 3 + j) % len(forms)]
            sentence = NHI_SENTENCES[(i + j) % len(NHI_SENTENCES)]
            yield positive("nhi", form, sentence, write(value))
    for value in invalid_nhis(rng, 40):
        yield negative("nhi", "wrong check digit", f"Ref {value} noted")
        yield negative("nhi", "wrong check digit, lower", f"ref {value.lower()} noted")
    for value in valid_nhis(rng, 20, new_format=False):
        yield negative("nhi", "I or O in place of a letter", f"Ref {value[0]}I{value[2:]} and {value[:2]}O{value[3:]}")
    for text in (
        "the 2021 review went well",
        "MSD 2021 report",
        "and 2019 was a hard year",
        "for 2024 we set 3 goals",
        "was 1234 in the queue",
        "Room 1234, level 2",
        "ACC 2022 claim closed",
        "Covid 2020 lockdown",
        "ABC123",
        "Q3 2024 report",
        "abc 12 34",
        "Ward 12 bed 4",
        "the kids 2025 holiday programme",
        "Year 2025 plan",
        "P-7F3A9C21",
        "F-00A1B2C3",
        "S-1234ABCD",
        "Form IR 330",
        "code ZZZ00AA",
        "ZZZ0044",
    ):
        yield negative("nhi", "prose or code", text)


# --- IRD -------------------------------------------------------------------------------------------
def valid_irds(rng: random.Random, count: int) -> list[str]:
    """IRD numbers whose check digit python-stdnum computed (stems with no check digit are skipped)."""
    found: list[str] = []
    while len(found) < count:
        stem = str(rng.randrange(1_000_001, 14_999_999))
        check = stdnum_ird.calc_check_digit(stem)
        if len(check) == 1 and stdnum_ird.is_valid(stem + check):
            found.append(stem + check)
    return found


def _grouped(number: str, sep: str) -> str:
    return f"{number[:-6]}{sep}{number[-6:-3]}{sep}{number[-3:]}"


IRD_FORMS = {
    "plain": lambda v: v,
    "dashes": lambda v: _grouped(v, "-"),
    "spaces": lambda v: _grouped(v, " "),
    "dots": lambda v: _grouped(v, "."),
    "slashes": lambda v: _grouped(v, "/"),
    "leading zero": lambda v: _grouped(v.zfill(9), "-"),
}
IRD_SENTENCES = (
    "IRD {}",
    "ird no {}",
    "My IRD number is {}, thanks",
    "tax number: {}",
    "IRD#{} for the WFF form",
    "Client gave IRD {} to WINZ",
)


def ird_cases(rng: random.Random) -> Iterator[Case]:
    forms = list(IRD_FORMS.items())
    for i, value in enumerate(valid_irds(rng, 60)):
        form, write = forms[i % len(forms)]
        yield positive("ird", form, IRD_SENTENCES[i % len(IRD_SENTENCES)], write(value))
    wrong = 0
    while wrong < 40:
        stem = str(rng.randrange(10_000_000, 149_999_999))
        if not stdnum_ird.is_valid(stem):
            form, write = forms[wrong % len(forms)]
            if len(stem) == 9 or form != "leading zero":
                yield negative("ird", f"wrong check digit, {form}", f"IRD {write(stem)}")
                wrong += 1
    for text in (
        "invoice total $1,234,567",
        "12/03/2024",
        "1.234.567",
        "Our ref 2024-0012-345",
        "Between 10 and 150 000 000",
        "Reading 12 345 at the meter",
        "Score 12-345-67",
        "value 49098576123",
        "ref 1234-49098576",
    ):
        yield negative("ird", "number in prose", text)


# --- Phone -----------------------------------------------------------------------------------------
def valid_phones(rng: random.Random, count: int) -> list[phonenumbers.PhoneNumber]:
    """NZ mobiles and landlines that libphonenumber says are valid (random digits after real prefixes)."""
    prefixes = ("21", "22", "27", "20", "29", "3", "4", "6", "7", "9")
    found: list[phonenumbers.PhoneNumber] = []
    while len(found) < count:
        prefix = rng.choice(prefixes)
        rest = "".join(rng.choice("0123456789") for _ in range(7))
        rest = str(rng.randrange(2, 10)) + rest[1:]
        number = phonenumbers.parse("0" + prefix + rest, "NZ")
        if phonenumbers.is_valid_number_for_region(number, "NZ"):
            found.append(number)
    return found


def _national_digits(number: phonenumbers.PhoneNumber) -> str:
    return "0" + str(number.national_number)


PHONE_FORMS = {
    "national": lambda n: phonenumbers.format_number(n, phonenumbers.PhoneNumberFormat.NATIONAL),
    "international": lambda n: phonenumbers.format_number(n, phonenumbers.PhoneNumberFormat.INTERNATIONAL),
    "E.164": lambda n: phonenumbers.format_number(n, phonenumbers.PhoneNumberFormat.E164),
    "digits only": _national_digits,
    "dashes": lambda n: f"{_national_digits(n)[:3]}-{_national_digits(n)[3:6]}-{_national_digits(n)[6:]}",
    "points": lambda n: f"{_national_digits(n)[:3]}.{_national_digits(n)[3:6]}.{_national_digits(n)[6:]}",
    "brackets": lambda n: f"({_national_digits(n)[:3]}) {_national_digits(n)[3:6]} {_national_digits(n)[6:]}",
}
PHONE_SENTENCES = (
    "Call me on {} after 5",
    "ph {}",
    "mob: {}",
    "Text {} if running late",
    "Nana's number {}",
    "tel.{}",
    "Best to ring {} (not after 8pm)",
)


def phone_cases(rng: random.Random) -> Iterator[Case]:
    forms = list(PHONE_FORMS.items())
    for i, number in enumerate(valid_phones(rng, 63)):
        form, write = forms[i % len(forms)]
        yield positive("phone", form, PHONE_SENTENCES[i % len(PHONE_SENTENCES)], write(number))
    for kind in (phonenumbers.PhoneNumberType.TOLL_FREE, phonenumbers.PhoneNumberType.MOBILE):
        example = phonenumbers.example_number_for_type("NZ", kind)
        yield positive("phone", "libphonenumber example", "Ring {} any time", PHONE_FORMS["national"](example))
    for i in range(30):
        value = f"{rng.random():.8f}"
        yield negative("phone", "decimal", f"{value}" if i % 2 else f"score {value}")
    for text in (
        "021 123",
        "09 379 12",
        "0800 12",
        "12345",
        "021 23456",
        "+61 2 9999 9999",
        "+1 212 555 0100",
        "P-02112345",
        "3.0211234567",
        "$1,234,567.89",
        "2024-05-03 10:15:00",
        "8 sessions, 10 goals, 12 hours",
        "0-4, 5-9, 10-14, 15-19",
        "-0.2113456789",
        "1.0e-09",
    ):
        yield negative("phone", "number in prose", text)


# --- Email -----------------------------------------------------------------------------------------
EMAIL_FORMS = {
    "plain": lambda u, d: f"{u}@{d}",
    "upper": lambda u, d: f"{u}@{d}".upper(),
    "at dot words": lambda u, d: f"{u} at {d.replace('.', ' dot ')}",
    "AT DOT": lambda u, d: f"{u} AT {d.replace('.', ' DOT ')}",
    "[at] [dot]": lambda u, d: f"{u}[at]{d.replace('.', '[dot]')}",
    "(at) (dot)": lambda u, d: f"{u} (at) {d.replace('.', ' (dot) ')}",
    "[at] with dots": lambda u, d: f"{u} [at] {d}",
    "spaces round @": lambda u, d: f"{u} @ {d}",
    "at, dotted domain": lambda u, d: f"{u} at {d}",
}
EMAIL_DOMAINS = ("gmail.com", "xtra.co.nz", "outlook.com", "hotmail.co.nz", "school.nz", "msd.govt.nz",
                 "example.org", "yahoo.com.au", "icloud.com")
EMAIL_SENTENCES = ("Email {} for the notes.", "her email is {}", "contact: {}", "send to {} pls")


def email_cases(rng: random.Random, fake: Faker) -> Iterator[Case]:
    forms = list(EMAIL_FORMS.items())
    for i in range(63):
        user = rng.choice([fake.user_name(), fake.first_name().lower() + "." + fake.last_name().lower()])
        form, write = forms[i % len(forms)]
        domain = EMAIL_DOMAINS[i % len(EMAIL_DOMAINS)]
        yield positive("email", form, EMAIL_SENTENCES[i % len(EMAIL_SENTENCES)], write(user, domain))
    for provider in ("gmail", "hotmail", "xtra"):
        user = fake.first_name().lower() + str(rng.randrange(10, 99))
        yield positive("email", "at provider", "email {} pls", f"{user} at {provider}")
    for text in (
        "@kiri on the socials",
        "a@b",
        "me@localhost",
        "email me at gmail",
        "we met at the school",
        "see you at home",
        "kiri at the hui",
        "lunch at noon, dot points to follow",
        "at 3pm at the marae",
        "Look at the website dot points",
        "She is at work",
        "we met at Tama's house",
        "I'm at the park dot",
        "Meet at the library. Com",
        "at least 5",
        "the cat sat at the mat",
    ):
        yield negative("email", "prose", text)


# --- Addresses -------------------------------------------------------------------------------------
STREET_ADDRESSES = (
    "15 Kōwhai Street",
    "15 Kowhai St",
    "2/15 Te Awa Road",
    "Flat 2, 15 Kōwhai Street",
    "12A Ōtaki Crescent",
    "221 Queen St",
    "7 Pōhutukawa Tce",
    "15 Kōwhai STREET",
    "15 kowhai street",
    "221 queen st",
    "15 te awa road",
    "40 great south rd",
    "3 Sir Edmund Hillary Drive",
    "15 The Terrace",
    "40 Great South Rd",
    "15 Te Ara o Hine Street",
    "8 Whare ki te Rangi Road",
    "Unit 3, 44 Ngā Puke Drive",
    "3B/120 Karangahape Road",
    "44 Rangitoto Ave",
    "9 Manuka Pl",
    "6 Tūī Grove",
    "12 Tui Grove",
    "56 Ōkahu Parade",
    "101 Marine Parade",
    "4 Kauri Lane",
    "33 Wai-iti Crescent",
)
POSTAL_ADDRESSES = (
    "PO Box 1234",
    "P.O. Box 5678",
    "P O Box 910",
    "po box 77",
    "PO Box 12-345",
    "Private Bag 92019",
    "private bag 3020",
    "CMB 12",
    "RD 2",
    "R.D. 4",
    "RD2",
    "rd 9",
    "Rural Delivery 3",
    "1234 State Highway 2",
    "88 SH 1",
    "PO Box 39 Ōtaki",
)
ADDRESS_SENTENCES = (
    "We live at {}, near the kura.",
    "Address: {}",
    "moved to {} last month",
    "send letters to {}",
    "Home visit at {} on Tuesday",
)


def address_cases(rng: random.Random, fake: Faker) -> Iterator[Case]:
    written = list(STREET_ADDRESSES + POSTAL_ADDRESSES)
    while len(written) < 110:
        address = fake.street_address().split("\n")[0]
        if address[0].isdigit():  # Faker also writes "PO Box 7"; those are above
            written.append(address)
    for i, address in enumerate(written):
        form = "postal or rural" if address in POSTAL_ADDRESSES else "street (Faker en_NZ)" if i >= len(
            STREET_ADDRESSES + POSTAL_ADDRESSES) else "street"
        yield positive("address", form, ADDRESS_SENTENCES[i % len(ADDRESS_SENTENCES)], address)
    for text in (
        "12 minute drive to the hall",
        "The best way in 12 weeks",
        "In 2019 Family Court said no",
        "3 District Court hearings",
        "Top 10 Ways To Close The Gap",
        "we live on kōwhai street",
        "2 St Johns",
        "her 2 boys walk to school",
        "we had 3 great chats about the road ahead",
        "a 5 km walk",
        "about 3 blocks down the road",
        "a box of 12",
        "the 2 main roads",
        "2 way street",
        "It is a 10 minute drive",
        "We live on Queen Street",
        "drove 20 km on State Highway 1",
        "Rd trip with the kids",
        "3rd time this term",
        "Box Hill",
        "In 2024 Te Awa Road was closed",
        "Year 9 Drive for the food bank",
        "5 Star Drive-in",
        "Room 4, Block B",
        "the 3 of us went to the park",
        "2 kids at Kōwhai Kindergarten",
        "10 Ways To Stay Calm",
        "1 in 5 Kiwi kids",
    ):
        yield negative("address", "prose", text)


# --- Dates of birth --------------------------------------------------------------------------------
def _date_forms(rng: random.Random) -> Iterator[tuple[str, str]]:
    months = ("January", "February", "March", "April", "May", "June", "July", "August", "September",
              "October", "November", "December")
    while True:
        year, month, day = rng.randrange(1975, 2024), rng.randrange(1, 13), rng.randrange(1, 29)
        name = months[month - 1]
        yield from (
            ("day month year", f"{day} {name} {year}"),
            ("ordinal of", f"{day}{'th' if 3 < day < 21 else {1: 'st', 2: 'nd', 3: 'rd'}.get(day % 10, 'th')} of {name} {year}"),
            ("month day, year", f"{name} {day}, {year}"),
            ("dd/mm/yyyy", f"{day:02d}/{month:02d}/{year}"),
            ("d/m/yy", f"{day}/{month}/{year % 100:02d}"),
            ("dd-mm-yy", f"{day:02d}-{month:02d}-{year % 100:02d}"),
            ("d-Mon-yyyy", f"{day}-{name[:3]}-{year}"),
            ("d Mon yy", f"{day} {name[:3]} {year % 100:02d}"),
            ("ddMONyyyy", f"{day:02d}{name[:3].upper()}{year}"),
            ("ISO", f"{year}-{month:02d}-{day:02d}"),
            ("d.m.yy", f"{day}.{month}.{year % 100:02d}"),
        )


BIRTH_TEMPLATES = (
    "born {}",
    "She was born on {}.",
    "DOB: {}",
    "dob {}",
    "D.O.B. {}",
    "b. {}",
    "bday {}",
    "b'day {}",
    "Birthday {}",
    "Date of birth {}",
    "{} (DOB)",
    "Born in Hamilton on {}",
    "birth date: {}",
    "Tama's bday is {}",
)


def dob_cases(rng: random.Random) -> Iterator[Case]:
    forms = _date_forms(rng)
    for i in range(88):
        form, written = next(forms)
        yield positive("dob", form, BIRTH_TEMPLATES[i % len(BIRTH_TEMPLATES)], written)
    yield positive("dob", "day and month", "bday {}", "3/4")
    yield positive("dob", "day and month", "birthday {}", "3 April")
    yield positive("dob", "day and month", "bday is {}", "12 Nov")
    session_forms = _date_forms(rng)
    templates = (
        "Born in Hamilton. Session on {}.",
        "Baby born last week; review {}",
        "born 2015, seen {}",
        "Session {}",
        "We met on {}",
        "first-born attended on {}",
        "newborn check {}",
        "Mum was born in Samoa and came to group on {}",
        "Born and raised in Porirua. Started {}",
        "{} session: talked about when Tama was born",
    )
    for i in range(60):
        _, written = next(session_forms)
        yield negative("dob", "a session date near a birth word", templates[i % len(templates)].format(written))
    for text in (
        "born 31/02/2016",
        "born 6-8 weeks early",
        "born at 3.5 kg",
        "2016-05-03",
        "She was born in Hamilton and we moved to Tauranga a long time later on 3 May 2016",
        "Reborn on 3 May 2024",
        "b. 2015",
    ):
        yield negative("dob", "other", text)


# --- Names -----------------------------------------------------------------------------------------
MAORI_NAMES = ("Wiremu", "Hēmi", "Rawiri", "Mere", "Anahera", "Tipene", "Ngaio", "Manaia", "Nikau", "Kiri",
               "Hōhepa", "Pita", "Mihi", "Ataahua", "Kahurangi", "Te Ariki", "Tūī", "Rēwi", "Hinewai", "Kauri")
MAORI_SURNAMES = ("Parata", "Ngata", "Tūhoe", "Walker", "Tamihana", "Herewini", "Tipoki", "Rāwiri", "Ranginui",
                  "Te Awa", "Kereama", "Paewai")
PACIFIC_NAMES = ("Sione", "Tevita", "Mele", "Salote", "Losa", "Viliami", "Siosaia", "Ana", "Lagi", "Ioane",
                 "Tavita", "Malia", "Sefo", "Litia", "Vailea", "Seini", "Sina", "Faalua", "Lupe", "Tomasi")
PACIFIC_SURNAMES = ("Fifita", "Taufa", "Fonua", "Tupou", "Faleolo", "Havili", "Leota", "Tuilagi", "Matagi",
                    "Vaifale", "Lolohea", "Pulu")
EVERYDAY_NAMES = ("Hope", "Grace", "Rose", "Will", "May", "Joy", "Faith", "Mark", "Aroha", "Tama", "Hine",
                  "Moana")
NAME_SENTENCES = (
    "{} loved the sessions.",
    "My son {} enjoyed the group.",
    "Whaea {} ran the kōrero.",
    "{}'s mum came too.",
    "We went to the park with {} on Saturday.",
    "Mrs {} said it helped.",
    "Kia ora {}, thanks for the kai!",
    "Spoke with {} about the next hui.",
    "Her partner {} picked the kids up.",
    "{} came every week with her tamariki.",
    "Thanks to {} for the lifts.",
    "baby {} is crawling now",
)
FULL_NAME_SENTENCES = (
    "{} {} attended every week.",
    "Referral for {} {} from Plunket.",
    "{} {} said the group helped.",
    "Spoke to {} {} today.",
)


def name_cases(rng: random.Random, fake: Faker) -> Iterator[Case]:
    given = [fake.first_name() for _ in range(30)] + list(MAORI_NAMES + PACIFIC_NAMES)
    surnames = [fake.last_name() for _ in range(15)] + list(MAORI_SURNAMES + PACIFIC_SURNAMES)
    for i, name in enumerate(given):
        form = "Faker en_NZ" if i < 30 else "te reo Māori" if name in MAORI_NAMES else "Pacific"
        yield positive("name", form, NAME_SENTENCES[i % len(NAME_SENTENCES)], name)
    for i in range(40):
        first, last = rng.choice(given), rng.choice(surnames)
        yield positive("name", "full name", FULL_NAME_SENTENCES[i % len(FULL_NAME_SENTENCES)], first, last)
    for i, name in enumerate(EVERYDAY_NAMES):
        template = ("{} loved the sessions.", "My daughter {} enjoyed it.", "We went with {} and the kids.",
                    "Mrs {} said it helped.")[i % 4]
        yield positive("name", "also an everyday word", template, name)
    yield positive("name", "lower case after a relation", "my son {} loves it", "tevita")
    yield positive("name", "two names", "{} and {} came to every session", "Grace", "Tama")


def name_negatives(demo_stories: list[str]) -> Iterator[Case]:
    for story in demo_stories:
        yield negative("name", "demo story", story)
    for text in (
        "Hope the sessions continue next year.",
        "We live near Rose Street.",
        "Grace Street is where the hall is.",
        "We moved from the Bay of Plenty last year.",
        "Aroha nui to the team.",
        "Ka pai to everyone.",
        "Best of all, I can now listen more.",
        "Will you call me about the next hui?",
        "May was a busy month for the whānau.",
        "Mark the date on the calendar.",
        "Work and Income helped with the costs.",
        "The Family Start worker visited.",
        "Thanks to Oranga Tamariki for the referral.",
        "I rang Plunket about the baby.",
        "We stayed at Te Aroha for the weekend.",
        "She moved to Nelson in May.",
        "We drove to Hamilton and back.",
        "The kids loved the Hawke's Bay trip.",
        "Got vouchers from the Warehouse.",
        "Whānau Ora helped with the power bill.",
        "Matariki celebrations at the marae.",
        "Christmas was hard this year.",
        "The Incredible Years programme was great.",
        "Triple P helped us set routines.",
        "Te Whatu Ora nurse came on Tuesday.",
        "Kāinga Ora are fixing the house.",
        "Mum and Dad came to the last session.",
        "Nana looks after the kids on Fridays.",
        "Koro picked us up.",
        "The tamariki loved the kai.",
        "Kōhanga Reo starts next term.",
        "Faith in the process is growing.",
        "Joy is back in our house.",
        "Grace period for the rent ended.",
        "Kia ora koutou, ngā mihi nui.",
        "Our facilitator was awesome.",
        "Summer holidays were long.",
        "Wellington was cold for the hui.",
        "Salvation Army food parcels helped.",
        "Women's Refuge gave us a safe place.",
        "Circle of Security course next month.",
        "We went to Rotorua for the weekend.",
        "Tauranga Hospital was good to us.",
        "Starship looked after baby.",
        "Mana Tāne group on Wednesdays.",
        "Pasifika Futures gave a grant.",
        "The Smith Family Trust paid the fees.",
    ):
        yield negative("name", "everyday words, places and organisations", text)


# Written after the name rules were tuned on the corpus above, and scored once before any change: 23 of 25
# names removed, 0 of 25 near-misses changed. The two misses ("Rangi's teacher", "so Ana brought") were
# then fixed, so this set is no longer held out; it stays as a check that the fix holds.
LATER_NAME_SENTENCES = (
    ("Ariana was quiet at first but opened up by week 3.", ("Ariana",)),
    ("Dad (Hemi) came to the last two sessions.", ("Hemi",)),
    ("Nan said Kaia has been sleeping better.", ("Kaia",)),
    ("Dropped Isla and Nikau at kindy after.", ("Isla", "Nikau")),
    ("Worker: Sarah Thompson", ("Sarah", "Thompson")),
    ("Caregiver is aunty Moana.", ("Moana",)),
    ("Losaline's older brother helped with the kai.", ("Losaline",)),
    ("Contacted Mr Faleafa re transport.", ("Faleafa",)),
    ("Jayden and his mum attended the hui.", ("Jayden",)),
    ("Rangi's teacher rang about the incident.", ("Rangi",)),
    ("Catch up with Priya next week.", ("Priya",)),
    ("Te Rina shared her story with the group.", ("Rina",)),
    ("Discussed routines with Liam's dad.", ("Liam",)),
    ("Sefa said the vouchers really helped.", ("Sefa",)),
    ("Referred by Dr Wong at the practice.", ("Wong",)),
    ("Mereana is now attending kura regularly.", ("Mereana",)),
    ("Olivia enjoyed the craft table.", ("Olivia",)),
    ("Tui was unwell so Ana brought the baby.", ("Tui", "Ana")),
    ("Ms Tuilagi asked for a copy of the notes.", ("Tuilagi",)),
    ("Charlotte Wilson withdrew in week 5.", ("Charlotte", "Wilson")),
    ("Koro Wiremu led the karakia.", ("Wiremu",)),
    ("Noah's mum is keen to come back.", ("Noah",)),
    ("Eru got a certificate at the end.", ("Eru",)),
    ("Fatima brought her sister along.", ("Fatima",)),
    ("Spoke to Kahu's nana about pickups.", ("Kahu",)),
)
LATER_NAME_NEAR_MISSES = (
    "Week 3 was about big feelings.",
    "Nan said the group has been helpful.",
    "Dropped the kids at kindy after.",
    "The hui at the marae was well attended.",
    "Kindy closed early on Friday.",
    "Transport was arranged through the school.",
    "The karakia opened each session.",
    "Craft table was popular with the tamariki.",
    "Certificates were given at the end.",
    "Vouchers from the food bank helped a lot.",
    "Pick-ups from Papatoetoe were hard.",
    "She works at Countdown in Manurewa.",
    "We are moving to Palmerston North.",
    "The Bay of Islands trip was cancelled.",
    "Kia ora e te whānau!",
    "Thanks heaps to the team at Te Whare.",
    "Lots of aroha in the room today.",
    "Mum found the Incredible Years sessions useful.",
    "Christmas party on the 20th.",
    "Te reo lessons on Mondays.",
    "Queen Street office is closed.",
    "The Warehouse vouchers arrived.",
    "Grandparents Raising Grandchildren group meets monthly.",
    "Anglican Care offered a food parcel.",
    "Snow in Queenstown stopped the visit.",
)


def later_name_cases() -> list[Case]:
    """The sentences written after the rules (see LATER_NAME_SENTENCES), as cases."""
    cases = [Case(text, "name", "name", "written later", values) for text, values in LATER_NAME_SENTENCES]
    return cases + [negative("name", "written later", text) for text in LATER_NAME_NEAR_MISSES]


def corpus(demo_stories: list[str]) -> list[Case]:
    """Every case, in a fixed order (seeded)."""
    rng = random.Random(SEED)
    fake = Faker("en_NZ")
    fake.seed_instance(SEED)
    cases: list[Case] = []
    for make in (nhi_cases, ird_cases, phone_cases, dob_cases):
        cases += make(rng)
    for make in (email_cases, address_cases, name_cases):
        cases += make(rng, fake)
    cases += name_negatives(demo_stories)
    return cases


# --- Scoring ---------------------------------------------------------------------------------------
@dataclass
class Score:
    """Per kind: positives caught (flagged as that kind and every value gone) and near-misses flagged."""

    positives: int = 0
    caught: int = 0
    negatives: int = 0
    flagged: int = 0
    missed: list[Case] = field(default_factory=list)
    false_alarms: list[Case] = field(default_factory=list)

    @property
    def recall(self) -> float:
        return self.caught / self.positives if self.positives else 1.0

    @property
    def false_positive_rate(self) -> float:
        return self.flagged / self.negatives if self.negatives else 0.0


def score(cases: list[Case]) -> dict[str, Score]:
    """Run the scanner over every case (one column, as load() would) and score each kind."""
    import pandas as pd

    from dpup_eval.intake.identifiers import redact_text

    texts = pd.Series([case.text for case in cases], dtype="string[pyarrow]")
    redacted, masks = redact_text(texts)
    scores = {kind: Score() for kind in KINDS}
    for i, case in enumerate(cases):
        flagged = {kind for kind, mask in masks.items() if mask[i]}
        result = scores[case.resembles]
        if case.kind is None:
            result.negatives += 1
            if flagged or redacted.iloc[i] != case.text:
                result.flagged += 1
                result.false_alarms.append(case)
        else:
            result.positives += 1
            if case.kind in flagged and not any(value in redacted.iloc[i] for value in case.values):
                result.caught += 1
            else:
                result.missed.append(case)
    return scores


def table(scores: dict[str, Score]) -> str:
    """The per-kind figures as a Markdown table (the README's)."""
    lines = ["| kind | caught | recall | near-misses flagged | false-positive rate |", "|---|---|---|---|---|"]
    for kind, s in scores.items():
        lines.append(
            f"| {kind} | {s.caught} of {s.positives} | {s.recall:.1%} | {s.flagged} of {s.negatives} "
            f"| {s.false_positive_rate:.1%} |"
        )
    return "\n".join(lines)


def name_span_precision(cases: list[Case]) -> tuple[int, int]:
    """(correct, all): name spans found in every text, and how many of them cover a name that was put
    there (a span on any other word, in a positive or a near-miss, counts against precision)."""
    from dpup_eval.intake.person_names import name_spans

    correct = total = 0
    for case in cases:
        wanted = [
            (start, start + len(value))
            for value in (case.values if case.kind == "name" else ())
            for start in _occurrences(case.text, value)
        ]
        for start, end in name_spans(case.text):
            total += 1
            correct += any(start < w_end and w_start < end for w_start, w_end in wanted)
    return correct, total


def _occurrences(text: str, value: str) -> list[int]:
    found, start = [], text.find(value)
    while start >= 0:
        found.append(start)
        start = text.find(value, start + 1)
    return found
