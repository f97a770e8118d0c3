"""What the attacker knows: every published number as a bound on a set of people, and how the sets overlap.

The attacker (:mod:`dpup_eval.findings.attacker`) is given the release ledger and reads from it only
what was published: each finding's numbers, the rules and method it was published under (the method is
no secret: pages say how counts are rounded), and the definitions in words. It is also told exactly how
the published populations overlap (which sets share which people, never who they are or how many):
more than a real reader, who can only work that out from the definitions ("finished" is inside
"finished or moved"; a region inside everyone), so an attacker that finds nothing here is a strong
result. The overlaps are expressed as *atoms*: groups of people who belong to exactly the same
published sets; every set is a union of atoms, and the attacker reasons about the atoms' unknown
sizes and totals. Building the atoms uses the ledger's record keys; the atoms' sizes are never
computed.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from dpup_eval.findings.disclosure import label_draws, round_with_draws
from dpup_eval.findings.indicators import PROPORTION_KINDS, STATISTIC_KINDS, Definition
from dpup_eval.findings.ledger import PublishedRelease
from dpup_eval.findings.wording import percent

__all__ = ["AttackModel", "MeanBound", "build_model"]

BIG = 1e12  # "no bound" that arithmetic cannot turn into NaN


@dataclass
class MeanBound:
    """A published average: the total of ``measure`` over set ``set`` is its count times (estimate ± step)."""

    set: int
    measure: str
    estimate: float
    step: float  # 0: published exactly
    source: tuple[int, int]


@dataclass
class AttackModel:
    """Sets (deduplicated published populations), their atoms, and the published bounds on them."""

    labels: list[str] = field(default_factory=list)
    sources: list[list[tuple[int, int, str]]] = field(default_factory=list)  # (release, finding, role)
    atoms_of: list[np.ndarray] = field(default_factory=list)
    n_atoms: int = 0
    low: list[float] = field(default_factory=list)  # per set, bounds on its count
    high: list[float] = field(default_factory=list)
    shown: list[bool] = field(default_factory=list)  # a count published as a number rests on it
    means: list[MeanBound] = field(default_factory=list)
    measures: dict[str, tuple[float, float, bool]] = field(default_factory=dict)  # low, high, whole
    shares: list[tuple[int, int, int, tuple[int, int]]] = field(default_factory=list)  # people, won, lost
    all_or_none: list[tuple[tuple[int, int], str]] = field(default_factory=list)  # published 0% / 100%
    findings: int = 0
    releases: int = 0
    atom_of_person: np.ndarray = field(default_factory=lambda: np.zeros(0, np.int64))  # never read by the attack

    def truth(self, atoms: np.ndarray) -> int:
        """How many people the atoms hold, for tests that check the attacker's bounds (not for attacking)."""
        return int(np.isin(self.atom_of_person, atoms).sum())

    def bound(self, index: int, low: float, high: float) -> None:
        self.low[index] = max(self.low[index], low)
        self.high[index] = min(self.high[index], high)


def _preimage(published: int, base: int, draw: float | None) -> tuple[int, int]:
    """The true counts that round to ``published``: any within base - 1 of it, or (the draw known, as
    with a public rounding key) exactly those that round to it with that draw."""
    candidates = np.arange(max(published - base + 1, 0), published + base)
    if draw is not None:
        rounded = round_with_draws(candidates, np.full(candidates.size, draw), base)
        candidates = candidates[rounded == published]
    return (int(candidates.min()), int(candidates.max())) if candidates.size else (published, published)


def _label(definition: dict[str, Any] | None, finding: dict[str, Any], success: bool) -> str | None:
    """The cell label the old public-key rounding hashed (tables' row and column names)."""
    if definition is None:
        return None
    d = Definition.model_validate(definition)
    row = "*" if not finding["group"] else "|".join(f"{k}={v}" for k, v in finding["group"].items())
    column = finding["period"] if finding["period"] is not None else "*"
    middle = f"{d.success_key()}|" if success else ""
    return f"{d.population_key()}|{middle}{row}|{column}"


def _members(populations: list[Any]) -> tuple[list[np.ndarray], np.ndarray]:
    """Each population's people as indices into one list of everyone in any release."""
    keys = [p.members.keys().keys[p.members.mask()] for p in populations]
    everyone, inverse = np.unique(np.concatenate(keys) if keys else np.zeros(0, np.uint64), return_inverse=True)
    bounds = np.cumsum([0, *[k.size for k in keys]])
    return [inverse[bounds[i] : bounds[i + 1]] for i in range(len(keys))], everyone


def _atoms(sets: list[np.ndarray], people: int) -> tuple[list[np.ndarray], int, np.ndarray]:
    """Group people by the sets they are in (random 64-bit signatures); each set's atoms, and each
    person's atom (kept only so tests can check the attacker's bounds against the truth)."""
    rng = np.random.default_rng(20261201)
    weights = rng.integers(0, 2**63, (len(sets), 2), dtype=np.uint64)
    signature = np.zeros((people, 2), dtype=np.uint64)
    for j, members in enumerate(sets):
        np.add.at(signature, members, weights[j])
    _, atom = np.unique(signature, axis=0, return_inverse=True)
    atom = atom.ravel()
    return [np.unique(atom[members]) for members in sets], int(atom.max()) + 1 if people else 0, atom


def build_model(releases: Iterable[PublishedRelease]) -> AttackModel:
    model = AttackModel()
    releases = list(releases)
    populations = [p for r in releases for p in r.populations]
    members, everyone = _members(populations)
    index: dict[tuple[int, int, int], int] = {}
    set_of: dict[int, int] = {}  # population id -> set
    rng = np.random.default_rng(7)
    weights = rng.integers(0, 2**63, (everyone.size, 2), dtype=np.uint64)
    unique_sets: list[np.ndarray] = []
    for p, people in zip(populations, members, strict=True):
        with np.errstate(over="ignore"):
            first, second = (int(v) for v in weights[people].sum(axis=0, dtype=np.uint64))
            identity = (int(people.size), first, second)
        if identity not in index:
            index[identity] = len(unique_sets)
            unique_sets.append(people)
            model.labels.append(p.label)
            model.sources.append([])
            model.low.append(0.0)
            model.high.append(BIG)
            model.shown.append(False)
        set_of[p.id] = index[identity]
        model.sources[index[identity]].append((p.release_id, p.finding, p.role))
    model.atoms_of, model.n_atoms, model.atom_of_person = _atoms(unique_sets, everyone.size)
    for release in releases:
        _read_release(model, release, set_of)
        model.findings += len(release.findings)
    model.releases = len(releases)
    return model


def _read_release(model: AttackModel, release: PublishedRelease, set_of: dict[int, int]) -> None:
    """Every published number of one release, as bounds on sets (the documented method, nothing else)."""
    rules = release.rules
    base, minimum, for_mean = rules["rounding_base"], rules["minimum_count"], rules["minimum_for_mean"]
    public = rules.get("rounding") == "labels, public key"
    by_finding: dict[int, dict[str, int]] = {}
    for p in release.populations:
        by_finding.setdefault(p.finding, {})[p.role] = set_of[p.id]
        if p.measure in model.measures:
            continue
        measure = json.loads(p.measure)
        if measure.get("low") is not None and measure.get("high") is not None:
            whole = not measure.get("per")  # scores and counts; a rate is not a whole number
            model.measures[p.measure] = (float(measure["low"]), float(measure["high"]), whole)
    measures = {p.finding: p.measure for p in release.populations}
    for i, f in enumerate(release.findings):
        sets = by_finding.get(i)
        if not sets:
            continue
        source = (release.id, i)
        definition = release.definitions.get(f["indicator"], {}).get(f["definition"])
        people, won, lost = sets.get("people"), sets.get("succeeded"), sets.get("did not succeed")
        if f.get("band") is not None:  # said in words: fewer than the minimum did (not) succeed
            target = lost if f["band"] == "almost all" else won
            if target is not None:
                model.bound(target, 0, minimum - 1)
            continue
        if f["suppressed"] or people is None:
            continue
        kind = f["kind"]
        smallest = for_mean if kind in STATISTIC_KINDS else minimum
        draw = None
        if public and (label := _label(definition, f, success=False)) is not None:
            draw = float(label_draws([label])[0])
        low, high = _preimage(int(f["n"]), base, draw)
        model.bound(people, max(low, smallest), high)
        model.shown[people] = True
        if kind in PROPORTION_KINDS and won is not None and lost is not None and f["estimate"] is not None:
            _read_share(model, f, (people, won, lost), base, minimum, rules, definition, source)
            model.shares.append((people, won, lost, source))
        if kind in ("mean", "change") and f["estimate"] is not None:
            model.means.append(MeanBound(people, measures[i], float(f["estimate"]), float(f.get("precision") or 0), source))
    _read_differences(model, release, by_finding, measures, base, minimum)


def _others(findings: list[dict[str, Any]]) -> dict[tuple[int, str], int]:
    """For each finding and each kind of comparison it publishes, the finding it is compared with."""
    def group_of(f: dict[str, Any]) -> str:
        return json.dumps(f["group"], sort_keys=True)

    where = {(f["indicator"], f["definition"], group_of(f), f["period"]): i for i, f in enumerate(findings)}
    periods: dict[tuple[str, str, str], list[str]] = {}
    groups: dict[tuple[str, str, str, str | None], list[str]] = {}
    for f in findings:
        if f["period"] is not None:
            order = periods.setdefault((f["indicator"], f["definition"], group_of(f)), [])
            if f["period"] not in order:
                order.append(f["period"])
        if len(f["group"]) == 1:
            ((field, value),) = f["group"].items()
            seen = groups.setdefault((f["indicator"], f["definition"], field, f["period"]), [])
            if value not in seen:
                seen.append(value)
    other: dict[tuple[int, str], int] = {}
    for i, f in enumerate(findings):
        head = (f["indicator"], f["definition"])
        one = next(iter(f["group"].items())) if len(f["group"]) == 1 else None
        for c in f.get("versus_groups") or []:
            if one is not None and c.get("group") is not None:
                j = where.get((*head, json.dumps({one[0]: c["group"]}, sort_keys=True), f["period"]))
                if j is not None:
                    other[(i, f"group={c['group']}")] = j
        if f.get("versus_previous") and f["period"] is not None:
            order = periods[(*head, group_of(f))]
            at = order.index(f["period"])
            if at > 0 and (j := where.get((*head, group_of(f), order[at - 1]))) is not None:
                other[(i, "previous period")] = j
        if f.get("versus_rest") and one is not None:  # of two groups, everyone else is the other one
            values = groups[(*head, one[0], f["period"])]
            if len(values) == 2:
                mate = json.dumps({one[0]: values[1 - values.index(one[1])]}, sort_keys=True)
                if (j := where.get((*head, mate, f["period"]))) is not None:
                    other[(i, "everyone else")] = j
    return other


def _read_differences(
    model: AttackModel, release: PublishedRelease, by_finding: dict[int, dict[str, int]], measures: dict[int, str],
    base: int, minimum: int,
) -> None:  # fmt: skip
    """Published differences (a named arm, the previous period, the other of two groups) as bounds on the
    finding compared with: its average or share is this finding's minus the difference.

    Sound whatever the protections: a published number is within its step of what it rounds (half a
    step for shares), so the other finding's value lies within both steps of (this one - difference).
    Everyone else in a grouping of three or more groups is not a published set and is not used.
    """
    findings = release.findings
    for (i, which), j in _others(findings).items():
        f, g = findings[i], findings[j]
        if f["suppressed"] or g["suppressed"] or f["estimate"] is None or j not in by_finding:
            continue
        if which.startswith("group="):
            comparison = next(c for c in f["versus_groups"] if f"group={c['group']}" == which)
        else:
            comparison = f["versus_previous" if which == "previous period" else "versus_rest"]
        estimate = float(f["estimate"]) - float(comparison["difference"])
        step = float(f.get("precision") or 0) + float(g.get("precision") or 0)
        sets = by_finding[j]
        people, won, lost = sets.get("people"), sets.get("succeeded"), sets.get("did not succeed")
        if people is None:
            continue
        if f["kind"] in ("mean", "change") and j in measures:
            model.means.append(MeanBound(people, measures[j], estimate, step, (release.id, j)))
        elif f["kind"] in PROPORTION_KINDS and won is not None and lost is not None:
            _read_share(model, {**g, "estimate": estimate, "precision": step}, (people, won, lost), base, minimum,
                        release.rules, release.definitions.get(g["indicator"], {}).get(g["definition"]),
                        (release.id, j), words=False)  # fmt: skip


def _read_share(
    model: AttackModel, f: dict[str, Any], sets: tuple[int, int, int], base: int, minimum: int,
    rules: dict[str, Any], definition: dict[str, Any] | None, source: tuple[int, int], words: bool = True,
) -> None:  # fmt: skip
    """A share is rounded successes over rounded people: which rounded successes fit, then their truths."""
    people, won, lost = sets
    n = int(f["n"])
    tolerance = (f["precision"] / 2 if f.get("precision") else 0) + 1e-9
    fits = [s for s in range(0, n + 1, base) if abs(s / n - f["estimate"]) <= tolerance] if n else []
    draw = None
    if rules.get("rounding") == "labels, public key" and (label := _label(definition, f, success=True)):
        draw = float(label_draws([label])[0])
    if fits:
        spans = [_preimage(s, base, draw) for s in fits]
        # Rounded successes above the rounded people are cut down to them: "all" could be more.
        top = BIG if n in fits else max(s[1] for s in spans)
        model.bound(won, max(min(s[0] for s in spans), minimum), top)
        model.shown[won] = True
    model.bound(lost, minimum if rules.get("bands") else 0, BIG)
    if words and f["estimate"] in (0.0, 1.0):
        model.all_or_none.append((source, f"{f['indicator_name']} ({f['definition_label']}), {f['group_label']}, "
                                          f"{f['period_label']}: published as {percent(f['estimate'])}"))
