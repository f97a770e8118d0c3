"""The demo's text: `feedback` stories from phrase banks, pseudonymous and pseudonymous references.

Stories are put together from a sentence opening, a middle and an optional second sentence, so that a
few dozen phrases give thousands of different stories. The phrases are written to be safe to publish:
no names of people or places, no digits, no contact details, no capitalised words other than at the
start of a sentence (so a name detector has nothing to find). Te reo Māori words keep their macrons.

Everything here works on whole Arrow arrays: a million rows of text are built in seconds (the files are
written by `dpup_eval.safe_csv`).
"""

from __future__ import annotations

from typing import cast

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

__all__ = [
    "CHILD",
    "ENROLLED",
    "FINISHED",
    "LEFT",
    "MOVED",
    "compose_feedback",
    "hex_refs",
    "unique_ids",
]

# Kinds of story; the generator picks one per person from where they are up to.
FINISHED, ENROLLED, LEFT, MOVED, CHILD = range(5)

# Openings that take a bare verb phrase ("... helped me stay calm").
_FINISHED_OPENINGS = (
    "The programme helped me",
    "Coming each week helped me",
    "The parenting sessions taught me how to",
    "The group gave me the confidence to",
    "I learnt to",
    "Our facilitator showed us how to",
    "Best of all, I can now",
    "The kōrero each week helped me",
    "Talking with the other parents helped me",
    "Now I feel more able to",
)
_ENROLLED_OPENINGS = (
    "So far the sessions have helped me",
    "It is early days, but I am already learning to",
    "A few weeks in and I am starting to",
    "The first sessions have shown me how to",
    "I am still going, and it is helping me",
)
_PARENT_MIDDLES = (
    "stay calm when the tamariki are having a hard day",
    "listen more and shout less",
    "set up a bedtime routine that actually works",
    "talk with my kids about big feelings",
    "ask for help without feeling judged",
    "plan cheap and healthy kai for the week",
    "spend more time playing with my tamariki",
    "kōrero with my partner about how we want to parent",
    "notice the good things my kids do every day",
    "keep going when things got hard at home",
    "make time for myself as well as the whānau",
    "handle the morning rush without yelling",
    "set limits with screens and stick to them",
    "understand why my toddler melts down",
    "share the load at home more fairly",
    "see my kids' behaviour as a way of telling me something",
    "show my tamariki more aroha, even on tired days",
    "get back into a routine after a rough year",
    "connect with other whānau going through the same things",
    "feel proud of the parent I am becoming",
)
_PARENT_SECONDS = (
    "Ka pai to the team.",
    "The kai at each session was a real bonus.",
    "It was good to meet other parents going through the same thing.",
    "I would tell other whānau to give it a go.",
    "Having the kids' group at the same time made it possible for us to come.",
    "Thank you for the aroha and patience.",
    "The home visits in between were really useful.",
    "I wish it had run for longer.",
    "Some weeks were hard to get to but it was worth it.",
    "Our whole whānau has noticed the difference.",
    "The handouts were a bit much, but the kōrero was great.",
    "An evening group would suit parents who work.",
    "The staff never made me feel like a bad parent.",
    "My partner says the house feels calmer now.",
    "I still use the breathing trick from the second week.",
    "Ka pai, it was worth every session.",
    "Getting there on the bus with the kids was tricky at times.",
    "Making the goals ourselves meant they actually mattered to us.",
)
_LEFT_OPENINGS = (
    "We stopped coming because",
    "I had to stop partway through because",
    "We did not finish the programme because",
    "It got too hard to keep coming when",
)
_LEFT_MIDDLES = (
    "the sessions clashed with my new mahi hours",
    "getting there by bus with the kids was too much",
    "we had a lot going on at home",
    "my baby was unwell for most of the term",
    "there was no one to look after the younger ones",
    "the car broke down and we could not get there",
    "I started a course on the same day",
    "the group time changed and did not suit us any more",
)
_LEFT_SECONDS = (
    "The sessions we did go to were helpful.",
    "I hope we can try again next year.",
    "The staff were kind about it.",
    "An evening or weekend group would make it easier.",
    "I still use some of the ideas with the tamariki.",
    "It would help if there was transport.",
)
_MOVED_OPENINGS = (
    "We had to move away partway through,",
    "Our whānau moved for mahi, so",
    "We found a new place to live further away, so",
)
_MOVED_MIDDLES = (
    "we could not keep coming",
    "we missed the last few weeks",
    "we had to leave the group",
)
_CHILD_OPENINGS = (
    "I liked",
    "My favourite part was",
    "The best thing was",
    "I had fun with",
)
_CHILD_MIDDLES = (
    "the games",
    "making things with my hands",
    "the kai",
    "drawing with my friends",
    "the songs in te reo",
    "playing outside",
    "the stories",
    "building huts",
    "the music",
    "baking with everyone",
)
_CHILD_SECONDS = (
    "I made a new friend.",
    "It was fun.",
    "The teachers were kind.",
    "Sometimes it was a bit boring.",
    "I want to come again.",
    "Mum and me did the homework together.",
    "My dad came too.",
    "I felt happy when we went.",
)

# For each kind: (openings, middles, second sentences, chance of a second sentence).
_BANKS: tuple[tuple[tuple[str, ...], tuple[str, ...], tuple[str, ...], float], ...] = (
    (_FINISHED_OPENINGS, _PARENT_MIDDLES, _PARENT_SECONDS, 0.6),
    (_ENROLLED_OPENINGS, _PARENT_MIDDLES, _PARENT_SECONDS, 0.35),
    (_LEFT_OPENINGS, _LEFT_MIDDLES, _LEFT_SECONDS, 0.6),
    (_MOVED_OPENINGS, _MOVED_MIDDLES, _LEFT_SECONDS, 0.5),
    (_CHILD_OPENINGS, _CHILD_MIDDLES, _CHILD_SECONDS, 0.5),
)


def _bank(slot: int, prefix: str = "") -> tuple[pa.Array, np.ndarray, np.ndarray]:
    """All kinds' phrases for one slot in one Arrow array, with each kind's first index and count."""
    phrases = [cast(tuple[str, ...], bank[slot]) for bank in _BANKS]
    counts = np.array([len(p) for p in phrases])
    flat = pa.array([prefix + phrase for p in phrases for phrase in p], pa.large_string())
    return flat, np.cumsum(counts) - counts, counts


def compose_feedback(rng: np.random.Generator, kinds: np.ndarray, present: np.ndarray) -> pa.Array:
    """One story for each entry of `kinds` (the constants above) where `present`, else null.

    Vectorised: one draw per phrase slot for the whole array, then Arrow's element-wise join.
    """
    kinds = np.asarray(kinds, dtype=np.int64)
    u = rng.random((4, kinds.size))  # drawn for every row, whatever the mix of kinds
    chance = np.array([bank[3] for bank in _BANKS])[kinds]
    parts = []
    for slot, prefix in enumerate(("", " ", " ")):
        flat, first, count = _bank(slot, prefix)
        index = first[kinds] + (u[slot] * count[kinds]).astype(np.int64)
        parts.append(flat.take(pa.array(index, mask=~present)))
    opening, middle, second = parts
    second = pc.if_else(pa.array(u[3] < chance), second, _s(""))  # stays null where there is no story
    return pc.binary_join_element_wise(opening, middle, _s("."), second, _s(""))


_HEX = np.frombuffer(b"0123456789ABCDEF", dtype=np.uint8)
_SHIFTS = np.arange(28, -1, -4)  # the eight hex digits of a 32-bit number, most significant first


def unique_ids(rng: np.random.Generator, n: int) -> np.ndarray:
    """`n` distinct 32-bit numbers whose hex form has at least one letter, so that no reference made
    from them can look like an IRD number."""
    size = int(n * 1.05) + 64
    while True:
        draw = rng.choice(2**32, size=size, replace=False)
        draw = draw[((draw[:, None] >> _SHIFTS) & 0xF >= 10).any(axis=1)]
        if draw.size >= n:
            return draw[:n]
        size *= 2


def hex_refs(prefix: str, ids: np.ndarray) -> pa.Array:
    """Pseudonymous references: `prefix` + the 32-bit `ids` as 8 upper-case hex digits."""
    width = len(prefix) + 8
    codes = np.empty((ids.size, width), dtype=np.uint8)
    codes[:, : len(prefix)] = np.frombuffer(prefix.encode("ascii"), dtype=np.uint8)
    codes[:, len(prefix) :] = _HEX[(np.asarray(ids)[:, None] >> _SHIFTS) & 0xF]
    offsets = pa.py_buffer(np.arange(0, (ids.size + 1) * width, width, dtype=np.int64))
    return pa.Array.from_buffers(pa.large_string(), ids.size, [None, offsets, pa.py_buffer(codes)])


def _s(text: str) -> pa.Scalar:
    return pa.scalar(text, pa.large_string())
