"""The words around a name: titles, relations, verbs people do, place and organisation words.

Kept apart from the rules in :mod:`dpup_eval.intake.person_names` because they are vocabulary, reviewed
and extended on their own (English and te reo Māori as written in New Zealand notes), while the rules
say how the words are used. All are lower case.
"""

from __future__ import annotations

__all__ = [
    "CONTACT_VERBS",
    "EVERYDAY_NAMES",
    "FAMILY_AFTER",
    "FUNCTION_WORDS",
    "GREETINGS",
    "GROUP_WORDS",
    "JOINED_FAMILY",
    "LOCATIVES",
    "MONTHS_AND_DAYS",
    "NAME_LABELS",
    "NOT_PEOPLE",
    "PERSON_VERBS",
    "PLACE_PREFIXES",
    "PLACE_WORDS",
    "POSSESSED",
    "RELATIONS",
    "SPOKEN_TO",
    "SALUTATIONS",
    "TE_REO_GIVEN_NAMES",
    "THING_WORDS",
    "TITLES",
]


def _words(text: str) -> list[str]:
    """The words of a space-separated list (keeps long word lists readable)."""
    return text.split()


# Titles and kin terms people put before a name (English and te reo Māori).
TITLES = frozenset(
    _words(
        """mr mrs ms miss mx dr sir aunty auntie aunt uncle whaea matua koro kui kuia nana nan nanny papa
        poppa pop grandma grandad granny koka whaea-kore"""
    )
)
# Greetings and thanks before a name ("Kia ora Mihi", "Thanks Grace").
GREETINGS = frozenset(
    _words(
        """ora hi hey dear thanks thank cheers morena mōrena tēnā tena bye ka kite talofa mālō malo bula
        namaste orana fakaalofa"""
    )
)
# Words in a bracket after names that say they are people ("Hazel and Billie (twins)").
GROUP_WORDS = frozenset(_words("twins twin whāngai whangai siblings cousins kids all both"))
# Greetings that open a message to someone ("Dear Yusuf,", "Namaste Rajesh ji", "Bula Mereoni!"): the
# capitalised word after one is the person even when no list holds the name, unless it is an everyday
# word or a place ("Hi Team", "Kia ora Aotearoa").
SALUTATIONS = frozenset(_words("dear hi hey ora morena mōrena tēnā tena talofa mālō malo bula namaste orana fakaalofa"))
# Words that make the capitalised words before them a thing, not a person: foods and drinks, music,
# events, shops and bills ("Jasmine tea", "Chelsea sugar", "Indie music", "Harmony Day", "the Mei Mei
# restaurant", "Mercury Energy bill"). Also after "and" ("Milo and toast").
THING_WORDS = frozenset(
    _words(
        """tea coffee rice honey sugar chicken beef lamb pork mince fish chips bread toast cake cakes biscuit
        biscuits cookie cookies chocolate chocolates lollies lolly milk juice drink drinks soup curry pie pies
        pizza noodles sauce oil salad sandwich sandwiches pasta scones muffins slice crunch cereal pops flakes
        spread butter cheese jam yoghurt wine beer music songs song band bands album albums concert gig
        playlist day week weekend festival parade market markets expo restaurant cafe café bakery takeaway
        takeaways shop store stores supermarket brand energy power bill bills holiday holidays trip"""
    )
)
# Verbs whose object is a person ("Ring Tama on ...", "met Aroha at the hui").
CONTACT_VERBS = frozenset(
    _words(
        """ring rang rung call called text texted txt txt'd txtd txted phone phoned ph'd email emailed msg msg'd
        msgd messaged ask asked tell told visit visited meet met per"""
    )
)
# Labels in notes followed by a colon or dash and the person ("Mum: Hunter", "Worker - Mason", "CC: Awhina").
NAME_LABELS = frozenset(
    _words(
        """mum dad nan nana koro kui aunty uncle caregiver client cl pt patient worker caseworker kaimahi
        facilitator referrer contact cc attn attention name names surname given first last full preferred
        known aka"""
    )
)
# Family words a name is joined to with + or & ("Jack + mum attended").
JOINED_FAMILY = frozenset(
    _words(
        """mum mother dad father nan nana koro kui kuia aunty uncle sister brother baby partner whānau whanau
        kids children tamariki son daughter siblings"""
    )
)
# Businesses and places named after people, written as a person's full name ("Harvey Norman").
NOT_PEOPLE = frozenset(
    ("harvey norman", "noel leeming", "ronald mcdonald", "michael hill", "jean batten", "kate sheppard")
)
# Relations and naming words after which the next word is the person ("my son Tevita", "named Ana").
RELATIONS = frozenset(
    _words(
        """son daughter boy girl baby pēpi pepi partner husband wife fiancé fiance fiancée brother sister
        nephew niece cousin grandson granddaughter mokopuna moko tamaiti stepson stepdaughter friend mate
        client named name's nicknamed bro sis cuz bestie"""
    )
)
# What follows a possessive name ("Tevita's mum").
POSSESSED = frozenset(
    _words(
        """mum mother dad father nan nana koro kui kuia aunty uncle sister brother baby partner whānau whanau
        family kids children tamariki son daughter teacher school kindy kura birthday behaviour dad's mum's
        room bed friends friend class sessions health"""
    )
)
# Verbs that people do, so that "Grace loved the group" is a person even at the start of a sentence.
PERSON_VERBS = frozenset(
    _words(
        """said says told tells asked asks loved loves enjoyed enjoys felt feels wanted wants liked likes came
        comes attended attends laughed cried smiled shared shares started finished turned turns helped helps
        learnt learned learns thinks thought knows knew went goes joined joins misses missed hugged played
        plays talked talks spoke speaks sings sang drew draws wrote writes tried tries made makes got gets
        did does has had needs needed struggled struggles moved lives lived brought brings took takes picked
        dropped cooked dna'd dnad"""
    )
)
# Words after a name-like word that make it part of a place or an organisation.
PLACE_WORDS = frozenset(
    _words(
        """street st road rd avenue ave drive dr bay beach park school college kindergarten kindy hospital
        centre center library marae hall church trust foundation house clinic medical health island river
        valley hill mountain mount lake harbour heights point city district council ministry court crescent
        terrace lane place way close grove primary intermediate high kura kōhanga kohanga playcentre mall
        plaza motel camp airport station club rugby sports pool pools gardens domain reserve square north
        south east west central junction village heads springs creek stream falls peninsula inlet sound
        flat bridge road's community services service foundation group programme program project academy university
        polytechnic institute limited ltd inc society association network centre's church's"""
    )
)
# Words before a name-like word that make it a place ("moved to Nelson", "in Hamilton").
LOCATIVES = frozenset(_words("in to from at near around via into towards outside across visiting"))
# Verbs after which "to" leads to a person ("spoke to Mele", "thanks to Lagi", "gave it to Sione").
SPOKEN_TO = frozenset(
    _words(
        """spoke speak speaks talked talk talks said say says thanks thank gave give gives sent send sends
        wrote write writes listen listened listens introduced explained explain married engaged replied
        reply handed passed read it them this that chatted chat chats yarned yarn"""
    )
)
PLACE_PREFIXES = frozenset(_words("mount mt lake port saint st te cape glen fort"))
FAMILY_AFTER = frozenset(
    _words(
        "family whānau whanau household kids children twins brothers sisters"
    )
)
# Everyday te reo words that are also common given names: a name with context ("Rangi's teacher").
TE_REO_GIVEN_NAMES = frozenset(
    _words("aroha tama hine moana rangi mana ariki mihi awhina āwhina kahu ana wai māia maia tiaki kaha")
)
MONTHS_AND_DAYS = frozenset(
    _words(
        """january february march april may june july august september october november december monday
        tuesday wednesday thursday friday saturday sunday christmas easter matariki"""
    )
)
# Short function words and greetings that Faker's lists happen to hold as names ("Will", "Kia" ...).
FUNCTION_WORDS = frozenset(
    _words(
        """a an the and or but if so as at by for from in into of on onto to up with without i me my we us our
        you your he him his she her they them their it its this that these those there here what when where
        who why how all any some no not yes kia ora ka pai mōrena morena tēnā tena koe kōrua koutou"""
    )
)
# Names that are also everyday English words and are missing from textstat's list of easy words.
EVERYDAY_NAMES = frozenset(
    _words(
        """grace hope faith joy rose ruby pearl amber ivy lily daisy holly jade hazel olive violet iris heather
        poppy willow summer autumn dawn sky storm river rain star angel harmony melody destiny justice patience
        charity mercy honour honor trinity unity bliss miracle precious princess queen king prince duke earl
        major marshal bishop deacon chase chance drew gene guy lance miles pat penny rob sandy ray rod stone
        wade will bill mark frank art sunny honey love may june april august brook brooke cliff dale glen
        heath forest field grant hunter mason cook baker carter fisher bell hill wood green brown white black
        grey gray young long short little rich sharp strong wise best hart lamb fox wolf bird crane swan finch
        robin jay drake hawk buck banks price rice marsh moss reed rush ash birch oak pine cherry berry candy
        crystal diamond jewel ginger pepper sage basil clay glory hero sterling sonny buddy chip chuck bob pip
        jack jean jan nick sue don dean ward page post church hall chapel cross friend good child bond blessing
        haven lane park wells west north south east winter spring snow frost moon sun day night knight period
        case story early free gold silver page rock cloud faithful happy lucky hardy noble royal carol
        christian pierce nelson"""
    )
)
