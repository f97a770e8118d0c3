"""Held-out sets: identifiers and near-misses written after the scanner was tuned, by another procedure.

The tuning corpus (`identifier_corpus.py`) makes its values with generators (random NHI stems completed by
python-nhi, IRD stems completed by python-stdnum, random phone digits, Faker's names and addresses) and
writes them through a fixed list of forms. This set shares none of that:

* NHIs are the published test values of two independent implementations of the Ministry of Health's
  routine (python-nhi's and nhi-validator's test suites, test range Z only); IRD numbers are the examples
  in Inland Revenue's RWT/NRWT specification as quoted by python-stdnum's tests. The test checks each one
  against python-nhi / python-stdnum, so an expected value never comes from the scanner.
* Phone numbers are written by hand in groupings the corpus does not use (``+64 (0)21``, ``0064``,
  signature lines "M: ..."); libphonenumber confirms each is a valid New Zealand number.
* Emails use the domains reserved for examples (RFC 2606) and obfuscations the corpus does not use.
* Addresses follow the NZ Post address guide's own examples and street types the corpus does not use
  (Quay, Way, Close, Rise, Heights, Esplanade, Level/Apartment, rural numbers before ``RD``).
* Dates of birth are written with ``strftime`` formats and birth words the corpus does not use.
* Names are New Zealand's most popular baby names (Department of Internal Affairs lists, written from its
  published top-100s, not from Faker), te reo Māori and Pacific names not in the corpus, and surnames
  common in New Zealand, in caseworker shorthand ("f/u w/ ...", "... DNA'd", "cl ... reports").

It was written in one sitting and scored once before any change to the scanner; the figures of that first
run are in `FIRST_SCORE`. The scanner was then changed for what it missed (an NHI glued to its label or
listed with a slash, an IRD number with its check digit split off, three email disguises, "21A Main
Street" and "Box 1234", "D/O/B" and "b/d", names in shorthand such as "Txt'd Arlo" or "Mum: Hunter",
three businesses and places read as names), so since then this set is no longer held out: it checks that
those fixes hold. One near-miss was wrongly labelled in the first run ("Room 4, 555 Great South Rd" holds
a real street address, rightly flagged); it was replaced by "Room 4, 555 steps to the top".

Seven new-format NHIs published as valid in an older python-nhi test suite (ZVU27KZ, ZBC42DQ, ZZZ00AX,
ZGT56KB, ZHS91BR, ZHW58CN, ZLV86AX) follow the earlier modulus-24 rule; the installed python-nhi (HISO
10046:2023 and later, modulus 23) rejects them, and so does the scanner, so they are left out.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date

from identifier_corpus import Case, negative, positive

# Scored once, 2 Dec 2026, before any change to the scanner (caught of positives, flagged of near-misses;
# phone's 2 flagged include the mislabelled address). `benchmarks/identifier_recall.py` prints today's
# figures beside these.
FIRST_SCORE = {
    "nhi": ((41, 46), (0, 25)),
    "ird": ((24, 26), (1, 15)),
    "phone": ((22, 22), (2, 15)),
    "email": ((15, 18), (0, 14)),
    "address": ((26, 28), (1, 20)),
    "dob": ((32, 36), (0, 14)),
    "name": ((45, 61), (3, 35)),
}

# --- NHI: published test values (python-nhi's and nhi-validator's test suites), test range Z ----------
PUBLISHED_NHIS = (
    "ZZZ0016", "ZZZ0024", "ZAA0067", "ZAA0075", "ZAA0083", "ZAA0091", "ZAA0105", "ZAA0113", "ZAA0121",
    "ZAA0130", "ZAA0148", "ZAA0156", "ZAC5361", "ZBN77VL", "ZZZ00AC", "ZDR69YX", "ZSC21TN", "ZZB30NH",
    "ZYZ81ZV", "ZVB97XQ", "ZRA29VA", "ZYX61YS",
)
# Published as invalid by the same suites (a wrong check character, or letters I/O).
PUBLISHED_NOT_NHIS = (
    "ZZZ0044", "ZZZ0017", "DAB8233", "JBX3650", "JBX3651", "JBX3655", "JBX3659", "ZZZ00AA", "ZZZ00AY",
    "ZVU27KY", "ZVU27KA", "ZHW58CZ", "ZZZ99ZS", "AAA00AB",
)
HELD_NHI_FORMS = (
    ("label glued with a dash", "NHI-{}", lambda v: v),
    ("label and colon, no space", "NHI:{} confirmed", lambda v: v),
    ("label with equals", "nhi={}", lambda v: v.lower()),
    ("alternating case", "nhi {} on file", lambda v: "".join(c.lower() if i % 2 else c for i, c in enumerate(v))),
    ("point inside", "Pt {} to see nurse", lambda v: v[:3] + "." + v[3:]),
    ("label on the line above", "NHI\n{}", lambda v: v),
    ("tab after label", "NHI\t{}", lambda v: v),
    ("quoted", "number given as '{}' by mum", lambda v: v),
    ("curly quotes", "whānau said “{}”", lambda v: v),
    ("far from the word NHI", "Asked us to use the number {} on every form for her", lambda v: v),
    ("end of sentence", "Seen at the clinic under {}.", lambda v: v),
    ("hash and dash, lower", "nhi# {}", lambda v: (v[:3] + "-" + v[3:]).lower()),
)


def nhi_cases() -> Iterator[Case]:
    for i, value in enumerate(PUBLISHED_NHIS):
        for j in (0, 1):
            form, template, write = HELD_NHI_FORMS[(2 * i + j) % len(HELD_NHI_FORMS)]
            yield positive("nhi", form, template, write(value))
    yield positive("nhi", "two NHIs, siblings", "NHIs {} and {} for both kids", "ZZZ0016", "ZZZ0024")
    yield positive("nhi", "two NHIs with a slash", "kids' NHIs {}/{}", "ZAA0067", "ZAA0075")
    for i, value in enumerate(PUBLISHED_NOT_NHIS):
        template = ("NHI {} (typo?)", "ref {} on the form", "nhi: {}", "Old file {}")[i % 4]
        yield negative("nhi", "published invalid", template.format(value if i % 3 else value.lower()))
    for text in (
        "ERO 2023 review of the kura",
        "the TPK 2022 report",
        "PHO 2024 enrolment done",
        "WFF 2023 form sent",
        "bus 2017 to town",
        "Flight NZ0123 to Auckland",
        "Car rego ABC123",
        "Room B12 3456",
        "Form IR3 2024",
        "NCEA 2022 results",
        "kit 4412 ordered",
    ):
        yield negative("nhi", "prose or code", text)


# --- IRD: Inland Revenue's RWT/NRWT specification examples (via python-stdnum's tests) ----------------
SPEC_IRDS = ("49091850", "35901981", "49098576", "136410132")
SPEC_NOT_IRDS = ("136410133", "9125568", "150000001", "49091851", "35901980")


def _dashed(number: str) -> str:
    return f"{number[:-6]}-{number[-6:-3]}-{number[-3:]}"


HELD_IRD_FORMS = (
    ("check digit split off", "IRD {}", lambda v: f"{v[:-1]}-{v[-1]}"),
    ("country prefix", "tax no. NZ {}", _dashed),
    ("no space after colon", "IRD:{}", lambda v: v),
    ("GST number", "GST {} registered", _dashed),
    ("initials with points", "I.R.D. {}", _dashed),
    ("number before the label", "{} (IRD)", lambda v: v),
    ("label on the line above", "IRD number\n{}", lambda v: " ".join((v[:-6], v[-6:-3], v[-3:]))),
    ("hash", "ird # {}", lambda v: v.zfill(9)),
    ("IR number", "IR number {} for the form", _dashed),
    ("in a sentence", "Her IRD is {} - checked with WINZ", lambda v: v.zfill(9)),
)


def ird_cases() -> Iterator[Case]:
    for i, value in enumerate(SPEC_IRDS):
        for j, (form, template, write) in enumerate(HELD_IRD_FORMS):
            if (i + j) % 2 == 0 or i == 0:
                yield positive("ird", form, template, write(value))
    yield positive("ird", "two IRD numbers", "IRD numbers: {} and {}", _dashed("49091850"), _dashed("35901981"))
    for i, value in enumerate(SPEC_NOT_IRDS):
        yield negative("ird", "specification invalid", ("IRD {}", "ird no. {}", "tax number {}")[i % 3].format(
            _dashed(value) if len(value) > 7 else value))
    for text in (
        "Bank acct 12-3102-0123456-00",
        "Paid $49,091,850 in total (budget)",
        "population 4,909,185",
        "ISBN 978-0-14-310000-0",
        "Order #136410133",
        "IRD 1234567A",
        "ird 12345",
        "Tax year 2023-2024",
        "Call ref 2024/136/410",
        "about 35 901 981 people",
    ):
        yield negative("ird", "number in prose", text)


# --- Phone: written by hand, confirmed valid by libphonenumber ----------------------------------------
HELD_PHONES = (
    ("+64 (0)", "Ph +64 (0)21 555 0123"),
    ("0064", "call 0064 21 555 0123"),
    ("international with dashes", "+64-21-555-0124 (mob)"),
    ("+64 glued to prefix", "text +6421 555 0125"),
    ("mobile prefix in brackets", "(021) 5550126"),
    ("pairs", "021 555 01 27"),
    ("one dash", "021-5550128"),
    ("digits, full stop", "Her number is 0275550129."),
    ("odd grouping", "027 5550 130"),
    ("area code in brackets, dash", "(09) 555-0131"),
    ("area code dash", "09-555 0132"),
    ("extension", "03 555 0133 ext 204"),
    ("two numbers", "04 555 0134 or 022 555 0135"),
    ("label with colon", "ph: 06 555 0136"),
    ("signature M:", "M: 021 555 0137"),
    ("signature P:", "P: 09 555 0138"),
    ("toll free", "0800 555 0139 any time"),
    ("029 mobile", "Nan's cell 029 555 0140"),
    ("020 mobile, long", "mob 020 4555 0141"),
    ("label glued", "Ph:07 555 0142"),
    ("text only", "022 555 0143 (text only)"),
    ("landline then mobile", "Home 07 555 0144, mobile 0275550145"),
)
HELD_PHONE_VALUES = {
    "two numbers": ("04 555 0134", "022 555 0135"),
    "landline then mobile": ("07 555 0144", "0275550145"),
}


def _phone_value(form: str, text: str) -> tuple[str, ...]:
    """The number(s) in a hand-written phone text: everything from the first digit or '+' or '(' to the last
    digit (one number per text unless listed in HELD_PHONE_VALUES)."""
    if form in HELD_PHONE_VALUES:
        return HELD_PHONE_VALUES[form]
    start = min(i for i, c in enumerate(text) if c.isdigit() or c in "+(")
    end = max(i for i, c in enumerate(text) if c.isdigit()) + 1
    if form == "extension":
        end = text.index(" ext")
    return (text[start:end],)


def phone_cases() -> Iterator[Case]:
    for form, text in HELD_PHONES:
        yield Case(text, "phone", "phone", form, _phone_value(form, text))
    for text in (
        "-36.8485, 174.7633",
        "Bank acct 12-3102-0123456-00",
        "ISBN 978-0-14-310000-0",
        "09:30-11:00 and 13:00-15:30",
        "score 0.0215550123",
        "$021.55 each",
        "Invoice 2024-0215-550",
        "Ward 021, bed 5",
        "Postcode 0210",
        "ratio 0.21:0.55",
        "3 of 021 cases",
        "meter reading 0215 550 12",
        "born 2021, 5 550 grams",
        "Room 4, 555 steps to the top",
        "2 x 555 ml bottles",
    ):
        yield negative("phone", "number in prose", text)


# --- Email: RFC 2606 example domains, obfuscations not in the corpus ----------------------------------
HELD_EMAILS = (
    ("(at)(dot) without spaces", "aroha(at)example(dot)co(dot)nz"),
    ("{at} {dot}", "nikau {at} example {dot} org"),
    ("spaces round @ and .", "isla @ example . com"),
    ("mailto:", "mailto:leo@example.net"),
    ("angle brackets", "<charlotte.brown@example.org>"),
    ("plus address", "mia+school@example.com"),
    ("mixed case, underscore", "Oliver_Smith@Example.co.nz"),
    ("subdomain", "k.herewini@health.example.govt.nz"),
    ("[@] [.]", "ava [@] example [.] org"),
    ("trailing full stop", "Email her at arlo@example.co.nz."),
    ("in brackets", "(luca@example.net)"),
    ("space before @", "harper @example.net"),
    ("[at] glued", "willow[at]example.net"),
    ("label with dash", "Email - maia.tane@example.school.nz"),
    ("quoted at and dot", "anahera 'at' example 'dot' com"),
    ("AT with dotted domain", "kaia AT example.co.nz"),
    ("hyphen in user, at dot", "theo-m at example dot org"),
    ("email: label", "email:george@example.com"),
)


def _email_value(text: str) -> str:
    """The address part of a hand-written email text (strip labels and wrapping)."""
    for prefix in ("mailto:", "Email her at ", "Email - ", "email:"):
        if text.startswith(prefix):
            text = text[len(prefix):]
    return text.strip("<>()").rstrip(".")


def email_cases() -> Iterator[Case]:
    for form, text in HELD_EMAILS:
        yield Case(f"contact {text} re the hui", "email", "email", form, (_email_value(text),))
    for text in (
        "see you @ 3pm",
        "Twitter @TeWhatuOra",
        "we were @home all week",
        "user@",
        "@example.com was down",
        "catch up @ the marae",
        "2 @ $5 each",
        "Notes saved at C:\\Users\\aroha\\notes",
        "meet at noon at the hall",
        "we are at work dot",
        "at the library (dot points)",
        "Stayed at Mum's. Com group after",
        "at example dot",
        "look at Example dot points",
    ):
        yield negative("email", "prose", text)


# --- Addresses: NZ Post address guide forms ------------------------------------------------------------
HELD_ADDRESSES = (
    ("guide: number with a letter", "21A Main Street"),
    ("guide: PO Box", "PO Box 23226"),
    ("Private Bag", "Private Bag 39999"),
    ("Level", "Level 5, 1 Queen Street"),
    ("Apartment", "Apartment 4, 10 Customs Street East"),
    ("Quay", "135 Lambton Quay"),
    ("Way", "17 Rimu Way"),
    ("Close, macron", "22 Kaikōura Close"),
    ("Rise", "5 Kahikatea Rise"),
    ("Heights, macron", "8 Pūriri Heights"),
    ("Mt abbreviation", "14 Mt Eden Road"),
    ("Esplanade", "3 Marine Esplanade"),
    ("flat slash, Way", "3/17 Rimu Way"),
    ("rural number and RD", "456 Kaipara Coast Highway, RD 4"),
    ("lower-case RD with town", "rd 1 warkworth"),
    ("St with point", "12 Tui St."),
    ("hash number", "#12 Rimu Street"),
    ("no. before number", "no. 12 Rimu St"),
    ("lower case street", "12 ngaio street"),
    ("te reo street, no macrons", "9 Rawhiti Avenue"),
    ("Unit and Terrace", "Unit 2, 31 Tawa Terrace"),
    ("Box without PO", "Box 1234, Kaitaia"),
    ("Place", "10 Matai Place"),
    ("Boulevard", "40 Kāpiti Boulevard"),
    ("Mews", "7 Tōtara Mews"),
    ("Promenade", "2 Oriental Promenade"),
    ("Gorge Rd", "12 Ngaio Gorge Rd"),
    ("Highway without SH", "1234 Great North Highway"),
)
ADDRESS_SENTENCES = ("Lives at {} with her nan", "Home visit {}", "New address: {}", "moved to {} in June",
                     "Post to {} pls")


def address_cases() -> Iterator[Case]:
    for i, (form, address) in enumerate(HELD_ADDRESSES):
        yield positive("address", form, ADDRESS_SENTENCES[i % len(ADDRESS_SENTENCES)], address)
    for text in (
        "3 Streets away from the school",
        "we walked 2 km down the road",
        "Queen Street shops were busy",
        "Level 3 of the building",
        "Box 2 of 5 packed",
        "PO Box rental is due",
        "the Esplanade was windy",
        "Lambton Quay bus stop",
        "Heights of 120 cm",
        "the 3 Kings group",
        "2 Degrees phone plan",
        "Top 10 Holiday Park",
        "the No. 8 wire attitude",
        "3 sisters walked to kura",
        "Kiwisaver 3% went up",
        "1 Way to help is to listen",
        "RD clinic closed",
        "Session 4 Rise Up programme",
        "Year 12 Close Up trip",
        "Route 66 diner",
    ):
        yield negative("address", "prose", text)


# --- Dates of birth: strftime formats and birth words not in the corpus -------------------------------
BIRTH_DATES = (date(2015, 4, 3), date(2019, 11, 21), date(1988, 7, 9), date(2021, 1, 30), date(2008, 12, 12),
               date(1996, 5, 17))
HELD_DOB_FORMS = (
    ("ddMONyy", "DOB {}", "%d%b%y", str.upper),
    ("D/O/B", "D/O/B: {}", "%-d.%-m.%Y", None),
    ("DoB dash", "DoB - {}", "%-d %B %Y", None),
    ("b/d", "b/d {}", "%d/%m/%Y", None),
    ("date of birth was", "date of birth was {}", "%-d %B %Y", None),
    ("birthdate ISO", "birthdate {}", "%Y-%m-%d", None),
    ("Born: day Mon", "Born: {}", "%-d %b %Y", None),
    ("d.o.b", "d.o.b {}", "%d.%m.%y", None),
    ("born at hospital", "was born {} at Waikato Hospital", "%-d/%-m/%Y", None),
    ("birthday is", "His birthday is {}.", "%-d %B", None),
    ("month first", "born {}", "%B %-d, %Y", None),
    ("birth date dashes", "birth date {}", "%-d-%-m-%Y", None),
    ("in brackets", "(born {})", "%d/%m/%Y", None),
    ("age then DOB", "Age 9, DOB {}", "%-d/%-m/%Y", None),
    ("DOB then age", "DOB {} (age 9)", "%-d/%-m/%Y", None),
    ("birthday on", "birthday on {}", "%-d %b", None),
    ("D.O.B without last point", "D.O.B {}", "%d %B %Y", None),
    ("born on a weekday", "born on {}", "%A %-d %B %Y", None),
)


def dob_cases() -> Iterator[Case]:
    for i, (form, template, pattern, case) in enumerate(HELD_DOB_FORMS):
        for j in (0, 1):
            written = BIRTH_DATES[(i + j) % len(BIRTH_DATES)].strftime(pattern)
            yield positive("dob", form, template, case(written) if case else written)
    for i, template in enumerate((
        "Next review {}",
        "Visited {} with the newborn",
        "Born Free course starts {}",
        "She was born in Samoa; arrived in NZ {}",
        "Referral received {} (birth mother)",
        "Date of referral: {}",
        "DOA {}",
        "date of birth not given, seen {}",
        "Reborn Church service {}",
        "Birth certificate arrived {}",
        "Appointment {}",
        "first-born son started kura {}",
        "born and raised here, enrolled {}",
        "Seen {}. Birth of sibling expected soon.",
    )):
        written = BIRTH_DATES[i % len(BIRTH_DATES)].strftime(("%-d %B %Y", "%d/%m/%Y", "%-d %b %y")[i % 3])
        yield negative("dob", "a session date near a birth word", template.format(written))


# --- Names: DIA's popular baby names, other te reo Māori and Pacific names, caseworker shorthand -------
DIA_NAMES = ("Noah", "Oliver", "Leo", "Luca", "Jack", "Theodore", "George", "Arlo", "Lucas", "Hunter", "Mason",
             "Levi", "Isla", "Charlotte", "Amelia", "Olivia", "Mia", "Lily", "Ava", "Harper", "Sophie", "Willow",
             "Aria", "Ayla")
MAORI_NAMES = ("Whetu", "Kahu", "Rangimarie", "Aperahama", "Huia", "Tamati", "Awhina", "Tane", "Ihaia", "Maia",
               "Anahera", "Mikaere", "Ari", "Kaia")
PACIFIC_NAMES = ("Ofa", "Pele", "Lavinia", "Mosese", "Semisi", "Akanesi", "Iosefa", "Fetu", "Talia", "Lealofi")
SURNAMES = ("Nguyen", "Patel", "Singh", "Kumar", "Tuhiwai", "Pōmare", "Tawhiri", "Toleafoa", "Aumua", "Tangitau",
            "MacDonald", "O'Connor")
SHORTHAND = (
    "Pt: {}",
    "cl {} reports less stress",
    "{} (7yo) attended",
    "Home visit w/ {} and kids",
    "{} + mum attended",
    "f/u with {} next wk",
    "{} DNA'd again",
    "Txt'd {} re: appt",
    "{} was upset today",
    "Mum: {}",
    "Worker - {}",
    "{}, 4, loves painting",
    "CC: {}",
    "per {}",
    "Nana {} has custody",
    "Uncle {} drove them",
    "Bro {} helped out",
    "{} said ka pai",
)
FULL_NAME_SHORTHAND = ("{} {} (caregiver)", "Referral: {} {}", "Spoke w/ {} {} re: kai", "{}, {} - DOB on file")


def name_cases() -> Iterator[Case]:
    given = DIA_NAMES + MAORI_NAMES + PACIFIC_NAMES
    for i, name in enumerate(given):
        form = "DIA popular name" if name in DIA_NAMES else "te reo Māori" if name in MAORI_NAMES else "Pacific"
        yield positive("name", form, SHORTHAND[i % len(SHORTHAND)], name)
    for i, surname in enumerate(SURNAMES):
        template = FULL_NAME_SHORTHAND[i % len(FULL_NAME_SHORTHAND)]
        first = given[(7 * i + 3) % len(given)]
        values = (surname, first) if template.startswith("{}, ") else (first, surname)
        yield positive("name", "full name", template, *values)
    yield positive("name", "twins", "{} & {} (twins)", "Isla", "Ari")
    for text in (
        "Pt seen in clinic",
        "DNA'd again, third time",
        "f/u next wk",
        "Cl reports less stress",
        "Mum attended with the kids",
        "Nana has custody",
        "Aunty rang about transport",
        "Went to Kmart for school shoes",
        "Noel Leeming voucher used",
        "Harvey Norman gave a heater",
        "Pak'nSave vouchers",
        "New World in Ōtaki",
        "Te Puni Kōkiri grant",
        "Stayed at Ronald McDonald House",
        "St John took him to hospital",
        "Victoria University open day",
        "Wellington Hospital appointment",
        "Lake Taupō holiday",
        "Moved to Mt Albert",
        "Glen Innes library",
        "Palmerston North for the tangi",
        "Port Chalmers trip",
        "Cannons Creek pools",
        "Easter holidays were hard",
        "Labour weekend at the bach",
        "Waitangi Day at the marae",
        "Anzac Day parade",
        "Santa parade on Sunday",
        "Good Friday closed",
        "Term 2 starts soon",
        "Mangere Bridge school",
        "Kids Can breakfast club",
        "KidsCan jackets arrived",
        "Plunket nurse visited",
        "Barnardos helped",
    ):
        yield negative("name", "organisations, places and shorthand", text)


def heldout() -> list[Case]:
    """Every held-out case, in a fixed order."""
    cases: list[Case] = []
    for make in (nhi_cases, ird_cases, phone_cases, email_cases, address_cases, dob_cases, name_cases):
        cases += make()
    return cases


# --- A second held-out set, written after the fixes that followed the first score ---------------------
# Same sources (the published NHIs and specification IRD numbers, libphonenumber-valid hand-written phone
# numbers, RFC 2606 example domains), new forms and sentences, names not used anywhere before. Scored once
# on 2 Dec 2026, before any change, with the figures in FIRST_SCORE_B; it is still held out.
FIRST_SCORE_B = {
    "nhi": ((18, 18), (0, 10)),
    "ird": ((9, 10), (0, 8)),  # missed "IRD/49-091-850" (glued to its label over a slash)
    "phone": ((10, 10), (0, 8)),
    "email": ((11, 11), (0, 8)),
    "address": ((14, 14), (0, 8)),
    "dob": ((11, 12), (0, 7)),  # missed "dob 2015/04/03" (year first with slashes)
    # missed "Hazel and Billie (twins)"; flagged "Indie music", "the Mei Mei restaurant", "Jasmine tea"
    "name": ((16, 17), (3, 11)),
}

SET_B = {
    "nhi": (
        ("no. and lower", "NHI no. {}", "zzz0024"),
        ("in brackets with colon, spaced", "(NHI: {})", "ZAA 0083"),
        ("after it, in brackets", "nhi {} (baby)", "ZAA0091"),
        ("semicolon after", "NHI {}; mum's on file", "ZAA0113"),
        ("patient label", "patient {} seen", "ZAA0121"),
        ("tab", "NHI:\t{}", "ZAA0148"),
        ("label after", "{} (NHI)", "zaa0156"),
        ("dash label", "NHI - {}", "ZZZ00AC"),
        ("full stop", "Her NHI: {}.", "ZDR69YX"),
        ("lower with colon", "nhi: {}", "zsc21tn"),
        ("subject first", "{} is her NHI", "ZZB30NH"),
        ("hash glued", "NHI #{}", "ZYZ81ZV"),
        ("in brackets glued", "nhi({})", "ZVB97XQ"),
        ("square brackets", "[NHI {}]", "ZRA29VA"),
        ("question mark", "NHI {}?", "ZYX61YS"),
        ("sentence, no label", "Baby {} was weighed", "ZAC5361"),
        ("new format lower", "nhi {} ok", "zbn77vl"),
        ("spaced lower with label", "nhi is zzz 0016", "zzz 0016"),
    ),
    "ird": (
        ("label glued colon", "IRD no:{}", "49091850"),
        ("full stop", "IRD {}.", "49-098-576"),
        ("in brackets", "(IRD: {})", "35-901-981"),
        ("number is", "IRD number is {}", "136-410-132"),
        ("tax file, spaces, zero", "tax file no {}", "049 091 850"),
        ("GST hash", "GST# {}", "49098576"),
        ("thanks after", "ird {} thanks", "35901981"),
        ("slash glued to label", "IRD/{}", "49-091-850"),
        ("split check digit, label after", "{} is his IRD", "3590198-1"),
        ("dots, label", "IRD: {}", "136.410.132"),
    ),
    "phone": (
        ("Mob. dashes", "Mob. {}", "021-555-0150"),
        ("+64 mobile, 7 digits together", "text {}", "+64 21 5550151"),
        ("Tel: +64 landline", "Tel: {}", "+64 9 555 0152"),
        ("0210 prefix", "cell {}", "0210 555 0153"),
        ("dashes anytime", "ring {} anytime", "027-555-0154"),
        ("(+64)", "{} is best", "(+64) 21 555 0155"),
        ("points", "ph {}", "021.555.0156"),
        ("landline 7 together", "phone {}", "09 5550157"),
        ("home ph dashes", "home ph {}", "03-555-0158"),
        ("w: work", "w: {}", "04 555 0159"),
    ),
    "email": (
        ("first.initial", "email {}", "aroha.t@example.co.nz"),
        ("AT DOT, colon label", "email me: {}", "nikau AT example DOT com"),
        ("(at) with dotted domain", "write to {}", "kiri (at) example.org"),
        ("at with school domain", "reach {} after 3", "leo at example.school.nz"),
        ("upper domain", "{} for the report", "Isla.Brown@EXAMPLE.ORG"),
        ("underscore and digits", "her email {}", "ben_t99@example.net"),
        ("brackets everywhere", "email - {}", "tama[dot]r[at]example[dot]com"),
        ("at dot co dot nz", "{} pls", "harper at example dot co dot nz"),
        ("space after @", "{} ok", "ava@ example.com"),
        ("semicolon after", "cc {}; thanks", "ari@example.co.nz"),
        ("(at) (dot) with dotted user", "contact: {}", "willow.k (at) example (dot) net"),
    ),
    "address": (
        ("Flat with comma", "lives at {}", "Flat 1, 22 Kowhai Road"),
        ("lower-case letter suffix", "home: {}", "22b Tui Street"),
        ("suburb after", "{} now", "22 Tui St, Kelburn"),
        ("Unit without comma", "moved to {}", "Unit 7 12 Totara Ave"),
        ("PO Box with city and postcode", "post: {}", "PO Box 5000, Wellington 6140"),
        ("P.O.Box glued", "{} only", "P.O.Box 77"),
        ("Private Bag spaced number", "send to {}", "Private Bag 92 019"),
        ("RD with town", "farm {}", "RD 3, Ōtorohanga"),
        ("Hwy and RD", "{} is the farm", "1450 Kaipara Coast Hwy RD 4"),
        ("Apt", "{} (upstairs)", "Apt 3B, 100 Queen St"),
        ("te reo St", "whānau at {}", "14 Hinemoa St"),
        ("Te, macron, Lane", "new place {}", "3 Te Kōwhai Lane"),
        ("Pde", "visit {}", "5 Marine Pde"),
        ("@ and lower case", "lives {}", "@ 12 rimu rd"),
    ),
    "dob": (
        ("DOB glued", "{}", "DOB:3/4/15"),
        ("ordinal, apostrophe year", "born {}", "3rd April '15"),
        ("dob dashes", "dob {}", "3-4-2015"),
        ("B'day", "B'day {}", "3/4/2015"),
        ("Birthday colon", "Birthday: {}", "3 April 2015"),
        ("D.O.B.:", "D.O.B.: {}", "03.04.2015"),
        ("equals", "birth date = {}", "3/4/2015"),
        ("was born on", "was born on {}", "03/04/15"),
        ("date of birth dash", "date of birth - {}", "03 April 2015"),
        ("year first slashes", "dob {}", "2015/04/03"),
        ("Born points", "Born {}", "3.4.15"),
        ("age then born in brackets", "age 9 (born {})", "3/4/2015"),
    ),
    "name": (
        ("possessive at start", "{}'s dad rang", "Arjun"),
        ("two with ages", "{} (8) and {} (5)", "Mei", "Wei"),
        ("RE: label", "RE: {}", "Ngaire"),
        ("client: full name", "client: {} {}", "Pania", "Toa"),
        ("week shorthand", "wk 3 - {} absent", "Matiu"),
        ("and her nan", "{} and her nan", "Zara"),
        ("name - note", "{} - moved house", "Sitani"),
        ("possessive teacher", "Spoke to {}'s teacher", "Rawinia"),
        ("txt'd back", "{} txt'd back", "Jasmine"),
        ("w/ interpreter", "{} attended w/ interpreter", "Mohammed"),
        ("possessive behaviour", "{}'s behaviour improved", "Frankie"),
        ("FYI", "FYI {} is pregnant", "Wikitoria"),
        ("napped", "{} napped the whole session", "Aaliyah"),
        ("@mention", "@{} see notes", "Vaea"),
        ("twins", "{} and {} (twins)", "Hazel", "Billie"),
        ("Pacific surname", "Mrs {} called", "Tuiasosopo"),
        ("te reo name mid-sentence", "Kai with {} after", "Tūmanako"),
    ),
}
NEAR_MISSES_B = {
    "nhi": ("ACC45 form 2019", "Form ACC 2024", "HNZ 2021 letter", "MOE 2025 funding", "the gym 2024 pass",
            "bed 12 ward 4A", "XYZ-1234-AB", "Job ref JBX3655", "nhi not known", "NHI ZZZ0017 (wrong?)"),
    "ird": ("Case 2024-136-410", "power bill $136.41", "rego 49 091", "NZBN 9429041234567",
            "Bank 02-0100-0123456-000", "Invoice 35901980", "Policy 136 410 133", "IRD form IR3"),
    "phone": ("Ph.D in 2019", "Time 10:30-12:00", "Score 021/555", "Cost $55.50", "version 2.1.555",
              "1/2/2021 5:55", "Serial 0215550123X", "Week 21 of 52, 555 families"),
    "email": ("@mention in the group chat", "the kids at school dot point", "1 @ $3", "meet @ 10", "at.home",
              "he's at Example Primary", "ari at the marae dot", "email: not given"),
    "address": ("PO Boxes are closing", "Street Kids programme", "3 Road trips", "Level 2 reading",
                "Unit 3 of the course", "12 Te Reo lessons", "5 Marae visits", "Highway 1 was closed"),
    "dob": ("DOB unknown, referred 3/4/2024", "born premature; seen 3/4/2024", "birth plan meeting 3/4/2024",
            "Reviewed 3/4/2024", "b. unknown, visit 3/4/24", "newborn visit 4/5/2024", "born in Tonga, arrived 2019"),
    "name": ("RE: transport", "wk 3 - absent", "FYI the van is booked", "Indie music at the end",
             "the Mei Mei restaurant", "Jasmine tea at the hui", "Matariki dinner", "Kids loved the pool",
             "Spoke to the teacher", "FYI Oranga Tamariki called", "Interpreter booked"),
}


def heldout_b() -> list[Case]:
    """The second held-out set, in a fixed order."""
    cases: list[Case] = []
    for kind, rows in SET_B.items():
        for form, template, *values in rows:
            cases.append(positive(kind, form, template, *values))
        cases += [negative(kind, "prose or code", text) for text in NEAR_MISSES_B[kind]]
    return cases
