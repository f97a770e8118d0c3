"""The attacker we ship: it tries to undo disclosure control using only what was published.

Given the release ledger, it reads every published number as a bound on a set of people
(:mod:`dpup_eval.findings.attack_model`) and combines them all, the way a determined reader with a
spreadsheet would, only exhaustively:

- **subtraction** across groupings, periods, definitions, thresholds and complements: every set is a
  sum of atoms (people in exactly the same published sets), and bounds are propagated through every
  sum until nothing tightens (interval constraint propagation), plus each pair of nested sets whose
  difference could be small gets its own row (``B minus A``);
- **repeated releases**: the same people published again add their bounds to the same set, so
  differently rounded repeats narrow it (the "183 and 186, so 184 or 185" attack);
- **the rounding key**, where the method says it is public: each count narrows to the values that
  round to it with that key;
- **the integer-mean trick**: an average of whole numbers, over a count n, must be a whole total over
  n; the counts for which no whole total fits the published average are ruled out, which pins n when
  the average is published precisely;
- **magnitudes**: totals (count x average) are propagated through the same atoms, to find one
  person's value where a set is pinned to a single person.

It reports every set it pins to between 1 and minimum_count - 1 people ("small group"), every single
person whose value it bounds to within 5% of the measure's range ("one person's value"), every share
published or worked out as all or none of a group ("all or none"), and, as warnings, exact counts
and exact totals recovered. Bounds are sound: the truth always lies inside them, so a small group it
reports is a real one.
"""

from __future__ import annotations

import functools
from typing import Any, Literal

import numpy as np
from pydantic import BaseModel, ConfigDict, PrivateAttr

from dpup_eval.findings.attack_model import BIG, AttackModel, build_model
from dpup_eval.findings.ledger import Ledger, PublishedRelease

__all__ = ["AttackReport", "Disclosure", "attack", "attack_releases"]

DisclosureKind = Literal["small group", "one person's value", "all or none", "exact count", "exact total"]
#: Kinds that mean someone could be picked out; the rest are warnings.
SERIOUS = ("small group", "one person's value", "all or none")
_VALUE_WIDTH = 0.05  # one person's value "pinned": bounded to within this share of the measure's range
_EPS = 1e-9


class Disclosure(BaseModel):
    """One thing the attacker worked out. Never a person's value: only how closely it was bounded."""

    model_config = ConfigDict(frozen=True)

    kind: DisclosureKind
    what: str
    low: float | None = None  # bounds on the number of people, where that is what was pinned
    high: float | None = None
    releases: list[int] = []
    _truth: Any = PrivateAttr(default=None)  # how many people there really are (tests only, never shown)

    def people(self) -> int:
        """The true number of people this disclosure is about (for checking the attacker in tests)."""
        if self._truth is None:
            raise ValueError("no people to count for this kind of disclosure")
        return int(self._truth())


class AttackReport(BaseModel):
    """What the attacker examined and what it recovered."""

    model_config = ConfigDict(frozen=True)

    releases: int
    findings: int
    sets: int
    atoms: int
    disclosures: list[Disclosure]

    @property
    def recovered(self) -> list[Disclosure]:
        """The disclosures that could pick someone out (small groups, one person's value, all or none)."""
        return [d for d in self.disclosures if d.kind in SERIOUS]

    def to_summary(self) -> str:
        releases = f"{self.releases} release{'' if self.releases == 1 else 's'}"
        lines = [
            f"The attacker read {releases} ({self.findings} findings resting on {self.sets} distinct sets of "
            f"people, which overlap in {self.atoms} ways), using only what was published.",
        ]
        if not self.disclosures:
            lines.append("It recovered nothing: no small group, no one person's value, no all-or-none, no exact count.")
        for d in self.disclosures:
            bounds = "" if d.low is None else f" [{d.low:.0f} to {d.high:.0f} people]"
            lines.append(f"- {d.kind}{bounds}: {d.what} (releases {', '.join(map(str, d.releases))})")
        serious = len(self.recovered)
        lines.append(
            f"{serious} could pick someone out; {len(self.disclosures) - serious} warnings."
            if self.disclosures else ""
        )  # fmt: skip
        return "\n".join(line for line in lines if line)


class _Propagation:
    """Interval constraint propagation: rows are sums of atoms with bounds [low, high]."""

    def __init__(self, rows: list[np.ndarray], n_atoms: int, integer: bool, counts: bool = True) -> None:
        self.integer = integer
        self.counts = counts  # counts of people are never negative; totals of a change can be
        self.n_atoms = n_atoms
        sizes = np.array([r.size for r in rows], dtype=np.int64)
        self.row_of = np.repeat(np.arange(len(rows)), sizes)
        self.atom = np.concatenate(rows).astype(np.int64) if rows else np.zeros(0, np.int64)
        self.pairs: list[tuple[int, int, int]] = []  # (difference row, larger row, smaller row)

    def run(
        self, low: np.ndarray, high: np.ndarray, atom_low: np.ndarray, atom_high: np.ndarray, rounds: int = 200
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        rows = low.size
        pairs = np.array(self.pairs, dtype=np.int64).reshape(-1, 3)
        for _ in range(rounds):
            before = (low.copy(), high.copy(), atom_low.copy(), atom_high.copy())
            if pairs.size:
                d, b, a = pairs.T
                np.maximum.at(low, d, low[b] - high[a])
                np.minimum.at(high, d, high[b] - low[a])
                np.maximum.at(low, a, low[b] - high[d])
                np.minimum.at(high, a, high[b] - low[d])
                np.maximum.at(low, b, low[a] + low[d])
                np.minimum.at(high, b, np.minimum(high[a] + high[d], BIG))
            sum_low = np.bincount(self.row_of, weights=atom_low[self.atom], minlength=rows)
            sum_high = np.minimum(np.bincount(self.row_of, weights=atom_high[self.atom], minlength=rows), BIG)
            low, high = np.maximum(low, sum_low), np.minimum(high, sum_high)
            np.minimum.at(atom_high, self.atom, high[self.row_of] - (sum_low[self.row_of] - atom_low[self.atom]))
            np.maximum.at(atom_low, self.atom, low[self.row_of] - (sum_high[self.row_of] - atom_high[self.atom]))
            atom_low = np.maximum(atom_low, 0) if self.counts else atom_low
            if self.integer:
                low, high = np.ceil(low - _EPS), np.floor(high + _EPS)
                atom_low, atom_high = np.ceil(atom_low - _EPS), np.floor(atom_high + _EPS)
            low, high = np.clip(low, -BIG, BIG), np.clip(high, -BIG, BIG)
            atom_low, atom_high = np.clip(atom_low, -BIG, BIG), np.clip(atom_high, -BIG, BIG)
            after = (low, high, atom_low, atom_high)
            if all(np.allclose(x, y, rtol=0, atol=1e-9) for x, y in zip(before, after, strict=True)):
                break
        self.contradictions = int((low > high + 1e-6).sum() + (atom_low > atom_high + 1e-6).sum())
        return low, high, atom_low, atom_high


def _nested_pairs(
    model: AttackModel, atoms: list[frozenset[int]], low: np.ndarray, high: np.ndarray, gap: float
) -> list[tuple[int, int]]:
    """(larger, smaller) pairs of sets, one inside the other, whose difference might be under ``gap``."""
    bounded = np.flatnonzero(high < BIG)
    order = bounded[np.argsort(low[bounded], kind="stable")]
    lows = low[order]
    sizes = np.array([a.size for a in model.atoms_of])
    pairs = []
    for a in order:
        window = order[np.searchsorted(lows, low[a] - 1e-9) : np.searchsorted(lows, high[a] + gap, side="right")]
        window = window[(sizes[window] > sizes[a]) & (high[window] - low[a] < gap)]
        pairs += [(int(b), int(a)) for b in window if atoms[a] <= atoms[b]]
    return pairs


def _integer_mean_trick(model: AttackModel, low: np.ndarray, high: np.ndarray) -> bool:
    """Rule out counts for which no whole total fits a published average; True if anything tightened."""
    tightened = False
    for mean in model.means:
        whole = model.measures.get(mean.measure, (0, 0, False))[2]
        s, lo, hi = mean.set, int(low[mean.set]), int(high[mean.set])
        if not whole or hi - lo > 20_000 or hi < lo:
            continue
        n = np.arange(max(lo, 1), hi + 1, dtype=float)
        fits = np.ceil(n * (mean.estimate - mean.step) - 1e-6) <= np.floor(n * (mean.estimate + mean.step) + 1e-6)
        if fits.any() and (not fits[0] or not fits[-1]):
            low[s], high[s] = n[fits].min(), n[fits].max()
            tightened = True
    return tightened


def _describe(model: AttackModel, atoms: list[frozenset[int]], members: np.ndarray, high: np.ndarray) -> str:
    """A set of atoms in words: the smallest published set holding them, minus the largest inside it that
    does not."""
    wanted = frozenset(members.tolist())
    holding = [j for j, held in enumerate(atoms) if wanted <= held]
    if not holding:
        return "people in several published results"
    outer = min(holding, key=lambda j: (len(atoms[j]), high[j]))
    if len(atoms[outer]) == len(wanted):
        return f"‘{model.labels[outer]}’"
    inside = [j for j, held in enumerate(atoms) if held < atoms[outer] and not held & wanted]
    if not inside:
        return f"part of ‘{model.labels[outer]}’"
    inner = max(inside, key=lambda j: len(atoms[j]))
    return f"people in ‘{model.labels[outer]}’ but not in ‘{model.labels[inner]}’"


def attack_releases(releases: list[PublishedRelease]) -> AttackReport:
    """Attack a list of releases (as :meth:`Ledger.published` gives them)."""
    model = build_model(releases)
    minimum = min((r.rules["minimum_count"] for r in releases), default=6)
    base = max((r.rules["rounding_base"] for r in releases), default=3)
    n_sets = len(model.labels)
    low, high = np.array(model.low, dtype=float), np.array(model.high, dtype=float)
    atoms = [frozenset(a.tolist()) for a in model.atoms_of]
    pairs = _nested_pairs(model, atoms, low, high, gap=2 * minimum + 4 * (base - 1))
    rows = list(model.atoms_of)
    propagation = _Propagation([], 0, True)
    for b, a in pairs:
        propagation.pairs.append((len(rows), b, a))
        rows.append(np.setdiff1d(model.atoms_of[b], model.atoms_of[a]))
    counts = _Propagation(rows, model.n_atoms, integer=True)
    counts.pairs = propagation.pairs
    low = np.concatenate([low, np.zeros(len(pairs))])
    high = np.concatenate([high, np.full(len(pairs), BIG)])
    atom_low, atom_high = np.zeros(model.n_atoms), np.full(model.n_atoms, BIG)
    for _ in range(5):  # counts, then what the averages rule out, until neither tightens
        low, high, atom_low, atom_high = counts.run(low, high, atom_low, atom_high)
        if not _integer_mean_trick(model, low, high):
            break
    disclosures: list[Disclosure] = []
    releases_of = [sorted({r for r, _, _ in model.sources[j]}) for j in range(n_sets)]

    def sources(members: np.ndarray) -> list[int]:
        wanted = frozenset(members.tolist())
        return sorted({r for j in range(n_sets) if wanted <= atoms[j] for r in releases_of[j]})[:10]

    seen: set[bytes] = set()
    candidates = [(rows[i], low[i], high[i]) for i in range(len(rows))]
    candidates += [(np.array([a]), atom_low[a], atom_high[a]) for a in range(model.n_atoms)]
    for members, lo, hi in candidates:
        if lo >= 1 and hi <= minimum - 1 and members.tobytes() not in seen:
            seen.add(members.tobytes())
            found = Disclosure(kind="small group", what=_describe(model, atoms, members, high), low=lo, high=hi,
                               releases=sources(members))  # fmt: skip
            found._truth = functools.partial(model.truth, members)
            disclosures.append(found)
    for j in range(n_sets):
        if model.shown[j] and low[j] == high[j]:
            found = Disclosure(kind="exact count", what=f"‘{model.labels[j]}’", low=low[j], high=high[j],
                               releases=releases_of[j])  # fmt: skip
            found._truth = functools.partial(model.truth, model.atoms_of[j])
            disclosures.append(found)
    for people, won, lost, (release, _) in model.shares:
        for part, words in ((won, "none of them"), (lost, "all of them")):
            if low[people] >= 1 and high[part] == 0:
                disclosures.append(Disclosure(kind="all or none", what=f"{words}: ‘{model.labels[people]}’",
                                              releases=[release]))  # fmt: skip
    for (release, _), words in model.all_or_none:
        disclosures.append(Disclosure(kind="all or none", what=words, releases=[release]))
    disclosures += _magnitudes(model, atoms, rows, low, high, atom_low, atom_high, pairs, releases_of)
    return AttackReport(releases=model.releases, findings=model.findings, sets=n_sets, atoms=model.n_atoms,
                        disclosures=disclosures)  # fmt: skip


def _magnitudes(
    model: AttackModel, atoms: list[frozenset[int]], rows: list[np.ndarray], low: np.ndarray, high: np.ndarray,
    atom_low: np.ndarray, atom_high: np.ndarray, pairs: list[tuple[int, int]], releases_of: list[list[int]],
) -> list[Disclosure]:  # fmt: skip
    """Totals (count x average) through the same atoms: exact totals, and single people's values."""
    found: list[Disclosure] = []
    n_sets = len(model.labels)
    for measure, (vmin, vmax, whole) in model.measures.items():
        means = [m for m in model.means if m.measure == measure]
        if not means:
            continue
        t_low, t_high = np.full(len(rows), -BIG), np.full(len(rows), BIG)
        for m in means:
            s = m.set
            edges = [n * (m.estimate + e) for n in (low[s], high[s]) for e in (-m.step, m.step)]
            t_low[s], t_high[s] = max(t_low[s], min(edges)), min(t_high[s], max(edges))
        involved = np.unique(np.concatenate([model.atoms_of[m.set] for m in means]))
        inside = np.zeros(model.n_atoms, dtype=bool)
        inside[involved] = True
        a_low = np.where(inside, np.minimum(vmin * atom_low, vmin * atom_high), 0.0)
        a_high = np.where(inside, np.maximum(vmax * atom_low, vmax * atom_high), 0.0)
        a_low, a_high = np.clip(a_low, -BIG, BIG), np.clip(a_high, -BIG, BIG)
        relevant = [i for i in range(len(rows)) if rows[i].size and inside[rows[i]].all()]
        keep = {i: k for k, i in enumerate(relevant)}
        totals = _Propagation([rows[i] for i in relevant], model.n_atoms, integer=whole, counts=False)
        totals.pairs = [(keep[n_sets + k], keep[b], keep[a]) for k, (b, a) in enumerate(pairs)
                        if n_sets + k in keep and b in keep and a in keep]  # fmt: skip
        tl, th, al, ah = totals.run(t_low[relevant], t_high[relevant], a_low, a_high)
        span = (vmax - vmin) * _VALUE_WIDTH
        for k, i in enumerate(relevant):
            if i < n_sets and any(m.set == i for m in means) and th[k] - tl[k] < 1e-6:
                found.append(Disclosure(kind="exact total", what=f"‘{model.labels[i]}’", releases=releases_of[i]))
            if low[i] == high[i] == 1 and th[k] - tl[k] <= span:
                found.append(Disclosure(kind="one person's value", what=_describe(model, atoms, rows[i], high),
                                        releases=releases_of[i] if i < n_sets else []))  # fmt: skip
        for a in involved:
            if atom_low[a] == atom_high[a] == 1 and ah[a] - al[a] <= span:
                found.append(Disclosure(kind="one person's value", what=_describe(model, atoms, np.array([a]), high)))
    return found


def attack(ledger: Ledger) -> AttackReport:
    """Attack everything in a release ledger."""
    return attack_releases(list(ledger.published()))
