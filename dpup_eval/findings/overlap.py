"""Overlap protection: never publish two populations that differ by only a few people.

Why: if "finished" and "finished or moved away" are both published for the same group, their difference
is the people who moved away; if that is 1 to 5 people, subtracting one count (or total) from the other
gives away a small count, or one person's score. It happens whenever two alternative definitions,
thresholds, groupings or periods pick out nearly the same people. So before a finding is published,
each population it rests on (who is counted; for a share, also who succeeded and who did not) is
compared with every population already published by the programme; one that differs from an earlier
one by at least 1 and fewer than ``minimum_count`` people, in either direction, is not published.

How, without listing anyone: each population is known by its count, a fingerprint (count and
fingerprint equal: the same people, which is safe: they get the same published numbers) and a sketch
(how many of its people fall in each of 64 buckets of the record keys). Two populations differ by at
least the difference of their counts, and by at least the sum of their sketches' bucket differences;
only a pair that neither bound separates is compared person by person (:class:`Members`).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import numpy as np

from dpup_eval.findings.record_keys import SKETCH_BUCKETS, RecordKeys

__all__ = ["Members", "OverlapRegistry", "Population"]


@dataclass(eq=False)
class Members:
    """Who is in a population, worked out only when an exact comparison needs it.

    ``universe``: the record keys of the rows the population was drawn from (a callable for a ledger
    entry not yet loaded). ``base``: packed bits (``np.packbits``) of the rows selected, ``minus``:
    packed bits of rows to leave out; ``dims``: (codes, code) pairs each row must match (its group,
    its period).
    """

    universe: RecordKeys | Callable[[], RecordKeys]
    base: np.ndarray | Callable[[], np.ndarray]
    minus: np.ndarray | Callable[[], np.ndarray] | None = None
    dims: tuple[tuple[np.ndarray | Callable[[], np.ndarray], int], ...] = ()

    @staticmethod
    def resolve(value):
        return value() if callable(value) else value

    def keys(self) -> RecordKeys:
        self.universe = self.resolve(self.universe)
        return self.universe  # type: ignore[return-value]

    def mask(self) -> np.ndarray:
        """One boolean per row of the universe."""
        rows = len(self.keys())
        self.base = self.resolve(self.base)
        chosen = np.unpackbits(self.base, count=rows).astype(bool)  # type: ignore[arg-type]
        if self.minus is not None:
            self.minus = self.resolve(self.minus)
            chosen &= ~np.unpackbits(self.minus, count=rows).astype(bool)  # type: ignore[arg-type]
        resolved = []
        for codes, code in self.dims:
            codes = self.resolve(codes)
            resolved.append((codes, code))
            chosen &= codes == code
        self.dims = tuple(resolved)
        return chosen

    def differ(self, other: Members) -> int:
        """How many people are in exactly one of the two populations."""
        if self.keys() is other.keys() or self.keys().digest == other.keys().digest:
            return int(np.count_nonzero(self.mask() ^ other.mask()))
        mine = self.keys().keys[self.mask()]
        theirs = other.keys().keys[other.mask()]
        return int(np.setxor1d(mine, theirs, assume_unique=True).size)


@dataclass(eq=False)
class Population:
    """One set of people a published finding rests on, as the overlap check knows it."""

    count: int
    fingerprint: int
    sketch: np.ndarray
    describe: str | Callable[[], str]  # the finding in plain words (worked out only when needed)
    members: Members
    ref: object = None  # whatever the caller uses to find the finding again (the ledger's id)

    @property
    def label(self) -> str:
        if callable(self.describe):
            self.describe = self.describe()
        return self.describe


@dataclass
class OverlapRegistry:
    """Every population published so far (one programme), and the check a new one must pass."""

    minimum: int
    populations: list[Population] = field(default_factory=list)
    _counts: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))
    _fingerprints: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))
    _sketches: np.ndarray = field(default_factory=lambda: np.zeros((0, SKETCH_BUCKETS), dtype=np.int32))
    _order: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))
    _identities: set[tuple[int, int]] = field(default_factory=set)

    def __len__(self) -> int:
        return len(self.populations)

    @property
    def identities(self) -> set[tuple[int, int]]:
        """(count, fingerprint) of every set of people registered (do not change it: use :meth:`add`)."""
        return self._identities

    def add(self, populations: Sequence[Population]) -> None:
        """Register published populations (one already registered, the same people, is skipped)."""
        fresh = []
        for p in populations:
            identity = (p.count, p.fingerprint)
            if identity not in self._identities:
                self._identities.add(identity)
                fresh.append(p)
        populations = fresh
        if not populations:
            return
        self.populations.extend(populations)
        self._counts = np.concatenate([self._counts, [p.count for p in populations]]).astype(np.int64)
        self._fingerprints = np.concatenate(
            [self._fingerprints, [p.fingerprint for p in populations]]
        ).astype(np.int64)
        self._sketches = np.vstack([self._sketches, *[p.sketch[None, :] for p in populations]]).astype(np.int32)
        self._order = np.argsort(self._counts, kind="stable")

    def check(self, candidates: Sequence[Population]) -> list[Population | None]:
        """Check populations to be published together, largest first: each against everything
        published before and every candidate passed before it. Returns, per candidate (in the order
        given), the population it is too close to, or None if it may be published. Nothing is added:
        call :meth:`add` with what is then actually published."""
        k, m = len(candidates), self.minimum
        result: list[Population | None] = [None] * k
        if not k:
            return result
        counts = np.array([c.count for c in candidates], dtype=np.int64)
        fingerprints = np.array([c.fingerprint for c in candidates], dtype=np.int64)
        sketches = np.stack([c.sketch for c in candidates]).astype(np.int32)
        published = (self._counts, self._fingerprints, self._sketches)
        for i, j in self._doubtful((counts, fingerprints, sketches), published, self._order):
            if result[i] is None:
                differ = candidates[i].members.differ(self.populations[j].members)
                if 0 < differ < m:
                    result[i] = self.populations[j]
        # Among the candidates themselves, largest first: each against those passed before it.
        partners: dict[int, list[int]] = {}
        order = np.argsort(counts, kind="stable")
        for i, j in self._doubtful((counts, fingerprints, sketches), (counts, fingerprints, sketches), order):
            if i != j:
                partners.setdefault(int(i), []).append(int(j))
        passed = np.zeros(k, dtype=bool)
        for i in np.argsort(-counts, kind="stable"):
            for j in partners.get(int(i), ()):
                if result[i] is None and passed[j]:
                    differ = candidates[i].members.differ(candidates[j].members)
                    if 0 < differ < m:
                        result[i] = candidates[j]
            passed[i] = result[i] is None
        return result

    def _doubtful(
        self, mine: tuple[np.ndarray, ...], theirs: tuple[np.ndarray, ...], order: np.ndarray
    ) -> zip[tuple[int, int]]:
        """Pairs (mine, theirs) that may differ by 1 to minimum - 1 people: counts within the
        minimum, not the same people, and sketches that cannot tell them apart. ``order`` sorts
        ``theirs`` by count. All pairs at once: only these few are then compared person by person."""
        m = self.minimum
        (counts, fingerprints, sketches), (their_counts, their_fingerprints, their_sketches) = mine, theirs
        ordered = their_counts[order]
        starts = np.searchsorted(ordered, counts - m + 1, side="left")
        lengths = np.searchsorted(ordered, counts + m - 1, side="right") - starts
        total = int(lengths.sum())
        if not total:
            return zip([], [], strict=True)
        left = np.repeat(np.arange(counts.size), lengths)
        right = order[np.repeat(starts - np.cumsum(lengths) + lengths, lengths) + np.arange(total)]
        same = (counts[left] == their_counts[right]) & (fingerprints[left] == their_fingerprints[right])
        bound = np.abs(sketches[left] - their_sketches[right]).sum(axis=1)
        doubtful = ~same & (bound < m)
        return zip(left[doubtful].tolist(), right[doubtful].tolist(), strict=True)
