"""Finding email and postal addresses in text, including the ways people disguise or abbreviate them.

Why: an address is how someone is found. People write emails to dodge spam filters ("kiri at gmail dot
com", "kiri[at]xtra[dot]co[dot]nz") and NZ addresses in the forms NZ Post's addressing guide describes:
a street number and a street name and type (``15 Kōwhai Street``, ``2/15 Te Awa Rd``), a rural delivery
number (``RD 2``), a house on a state highway (``1234 State Highway 2``), or a postal address with no
street at all (``PO Box 1234``, ``Private Bag 3020``, ``CMB 12``). Street names are often te reo Māori,
with or without macrons, and may have lower-case particles inside (``Te Ara o Hine Street``); caseworkers
also type them all in lower case.

What keeps prose out: a street address needs a house number, a street type, and a name between them
that is not an everyday phrase ("12 minute drive", "2 way street", "the 3 main roads"). A street name
with no number ("we live on Kōwhai Street") is not one house and is left alone.
"""

from __future__ import annotations

import re

__all__ = ["EMAIL_PROVIDERS", "STREET_TYPES", "address_spans", "email_spans"]


def _words(text: str) -> list[str]:
    """The words of a space-separated list (keeps long word lists readable)."""
    return text.split()

# --- Email -----------------------------------------------------------------------------------------
_EMAIL = re.compile(
    r"(?<![\w.%+-])[\w.%+-]{1,64}\s?@\s?[^\W_](?:[\w-]{0,61}[^\W_])?(?:\.[^\W_](?:[\w-]{0,61}[^\W_])?)*"
    r"\.[^\W\d_]{2,24}(?!\w)"
)
_QUOTE = "['\"‘’“”]"
# "at" and "dot" as people disguise them: in brackets ("[at]", "(a)", "(.)"), as words, between dashes or
# underscores ("mele-at-icloud-dot-com", "ana_at_vodafone_dot_co_dot_nz").
_AT = rf"(?:\s*[\[({{<]\s*(?:at|@|a)\s*[\])}}>]\s*|\s+{_QUOTE}?at{_QUOTE}?\s+|\s*@\s*|[-_]at[-_])"
_DOT = rf"(?:\s*[\[({{<]\s*(?:dot|\.)\s*[\])}}>]\s*|\s+{_QUOTE}?dot{_QUOTE}?\s+|\.|[-_]dot[-_])"
# Top-level and second-level domains people actually give out here; an obfuscated address must end in one.
_TLDS = (
    "com|net|org|nz|au|uk|us|ca|io|edu|gov|govt|info|biz|me|co|ac|school|health|iwi|maori|kiwi|cloud|app|"
    "ws|to|fj|ck|nu|ph|in|cn|online|email|live"
)
EMAIL_PROVIDERS = "gmail|googlemail|hotmail|outlook|yahoo|xtra|icloud|live|msn|protonmail|proton|windowslive"
_LOCAL = r"[\w%+-]+(?:(?:\.|\s+dot\s+|\s*[\[(]\s*dot\s*[\])]\s*)[\w%+-]+)*"
_OBFUSCATED = re.compile(
    rf"(?<![\w.%+-])(?P<local>{_LOCAL}){_AT}"
    rf"(?:[^\W_][\w-]*{_DOT})+(?:{_TLDS})(?!\w)"
    rf"|(?<![\w.%+-])(?P<local2>{_LOCAL}){_AT}(?:{EMAIL_PROVIDERS})(?!\w)"
    # With the @ sign itself, points may have spaces round them too ("isla @ example . com").
    rf"|(?<![\w.%+-])(?P<local3>{_LOCAL})\s*@\s*(?:[^\W_][\w-]*\s*\.\s*)+(?:{_TLDS})(?!\w)",
    re.IGNORECASE,
)
# "Email me at gmail" or "see us at school dot nz" are not addresses: the word before "at" is no mailbox.
_NOT_MAILBOX = frozenset(
    _words(
        "me us him her them you i we it is was be here there home work school look meet see email mail "
        "message text contact reach ring call"
    )
)


def email_spans(text: str) -> list[tuple[int, int]]:
    """Email addresses, written plainly or disguised with "at"/"dot" in words or brackets."""
    found = [m.span() for m in _EMAIL.finditer(text)] if "@" in text else []
    lowered = text.lower()
    if (
        "@" in text
        or " at " in lowered
        or "(a)" in lowered
        or any(f"at{c}" in lowered for c in "])}>'\"’”-_")
    ):
        for m in _OBFUSCATED.finditer(text):
            local = (m["local"] or m["local2"] or m["local3"] or "").lower()
            if local in _NOT_MAILBOX:
                continue
            found.append(m.span())
    return found


# --- Street and postal addresses ---------------------------------------------------------------------
#: Street types from NZ Post's addressing guide (full and abbreviated), lower case.
STREET_TYPES = (
    "street|st|road|rd|avenue|ave|av|drive|dr|dve|place|pl|crescent|cres|cr|terrace|tce|terr|lane|ln|way|"
    "grove|gr|close|cl|court|ct|crt|parade|pde|highway|hwy|quay|boulevard|blvd|rise|square|sq|mews|"
    "esplanade|esp|glade|heights|hts|line|loop|track|walk|row|glen|ridge|view|gardens|gdns|mall|link|"
    "promenade|strand|wynd|bend|vale|circle|cir|green|hill|park|point|reserve|common|access|alley|"
    "arcade|brae|crest|downs|motorway|pass|path|plaza|steps|trail|wharf|key|keys|landing|outlook|alleyway|"
    "amble|anchorage|approach|broadway|bypass|causeway|circuit|concourse|copse|corner|cove|cross|crossing|"
    "cutting|flats|centre|range|belt|brow|dale|deviation|edge|end|entrance|fairway|gate|island|junction|"
    "mount|port|quadrant|run|village"
)
_CAPITAL = "A-ZĀĒĪŌŪ"
# Lower-case particles inside te reo street names ("Te Ara o Hine Street", "Whare ki te Rangi Road").
_PARTICLES = "o|a|ki|i|te|ngā|nga|e"
_NAME_WORD = rf"(?:[{_CAPITAL}][\w'’.-]*|[a-zāēīōū][\w'’-]*)"
_ADDRESS = re.compile(
    r"(?<![0-9A-Za-z])"
    r"(?:(?i:flat|unit|apartment|apt|shop|suite|level)\.?\s{1,3}[0-9]{1,4}[A-Za-z]?,?\s{1,3}|[0-9]{1,4}[A-Za-z]?/)?"
    r"(?<!Top )(?<!top )(?<!TOP )"  # "Top 10 Holiday Park" is a rank and a brand
    r"(?!(?:19|20)[0-9]{2}\b)[0-9]{1,5}[A-Za-z]?,?\s{1,3}"  # house number, not a year ("In 2019 Family Court")
    rf"(?P<name>(?:{_NAME_WORD}\s{{1,3}}){{1,5}}?)"
    rf"(?P<type>(?i:{STREET_TYPES}))(?![\w-])",
)
# "3 District Court hearings" names a court, not a street.
_COURTS = frozenset(
    _words(
        "youth family district high supreme appeal land environment employment coroners disputes "
        "rangatahi pasifika criminal civil children's"
    )
)
# Words that do not make a street name: function words and the everyday phrases that precede a street
# type in prose ("12 minute drive", "2 way street", "5 car park", "3 main roads", "Top 10 Ways To Close").
_NOT_NAME_WORDS = frozenset(
    _words(
        """to and or for with in on at is are was were we i my our your you it this that from by if not no be
        minute minutes min mins hour hours hr hrs second seconds day days week weeks month months year years
        km kms k m metre metres meter meters mile miles block blocks step steps way ways lane lanes car cars
        bus main big small long short whole each every new old same best right wrong easy hard good bad
        first second third last next other more most few many several different lovely nice quick slow
        one two three four five six seven eight nine ten very really just only also
        sessions session time times kids children people parents whānau whanau tamariki families family"""
    )
)
# ... except these, which name streets when capitalised ("21A Main Street", "Old Mill Road", "New North Road").
_NAME_WHEN_CAPITALISED = frozenset(_words("main big long old new first second third short"))
_PARTICLE_WORDS = frozenset(_PARTICLES.split("|"))
#: Street types that stay unambiguous in lower case ("15 kowhai street"); "walk", "view" or "park" do not
#: ("her 2 boys walk").
_LOWER_CASE_TYPES = frozenset(
    _words(
        "street st road rd avenue ave drive crescent cres terrace tce highway hwy boulevard blvd parade "
        "pde quay esplanade"
    )
)
#: A lower-case street name has one or two words (particles aside); longer runs are prose.
_LOWER_CASE_NAME_WORDS = 2
_POSTAL = re.compile(
    r"(?<![0-9A-Za-z])(?:"
    r"(?i:p\.?\s?o\.?\s?box|p\.?\s?o\.?\s?b(?:x|\.)?|post\s+office\s+box|priv(?:ate|\.)?\s+bag|c\.?m\.?b\.?|"
    r"community\s+mail\s?bag|po\s?box|locked\s+bag)\s{0,3}[0-9][0-9-]{0,6}"
    r"|Box\s[0-9]{3,6}(?!\s+of\b)"  # "Box 1234, Kaitaia" without the PO (capital B, three digits or more)
    r"|(?i:r\.?\s?d\.?|rural\s+delivery)\s{0,2}[0-9]{1,2}"
    r"|[0-9]{1,5}[A-Za-z]?,?\s{1,3}(?i:state\s+highway|s\.?h\.?)\s{0,2}[0-9]{1,3}[A-Za-z]?"
    r")(?![0-9A-Za-z])"
)


def address_spans(text: str) -> list[tuple[int, int]]:
    """Street addresses (number, name, type), rural delivery, state highway and postal (PO Box, Private Bag)."""
    found = [m.span() for m in _POSTAL.finditer(text)]
    for m in _ADDRESS.finditer(text):
        if _street_name_ok(m["name"].split(), m["type"]):
            found.append(m.span())
    return found


def _street_name_ok(words: list[str], street_type: str) -> bool:
    """Whether the words between a house number and a street type can be a street's name."""
    lowered = [w.lower().strip(".,") for w in words]
    if not words or (words[0].islower() and lowered[0] in _PARTICLE_WORDS and lowered[0] != "te"):
        return False
    if street_type.lower() in {"court", "ct", "crt"} and lowered[-1] in _COURTS:
        return False
    inner = [w for w, low in zip(words, lowered, strict=True) if not (w.islower() and low in _PARTICLE_WORDS)]
    if any(
        low in _NOT_NAME_WORDS and not (w[0].isupper() and low in _NAME_WHEN_CAPITALISED)
        for w, low in ((w, w.lower().strip(".,")) for w in inner)
    ):
        return False
    if all(not w[0].isupper() for w in words):
        return street_type.lower() in _LOWER_CASE_TYPES and len(inner) <= _LOWER_CASE_NAME_WORDS
    return True
