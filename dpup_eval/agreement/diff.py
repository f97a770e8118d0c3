"""What changed between two versions of a programme's agreement, in plain words.

Why plain words: the people who sign a version (a provider's manager, an agency advisor) and the
families a notice is for need "Date of birth replaced by age band", not a YAML diff. Each change is data
(a stable ``kind``, the purpose and field it concerns, a sentence, and the version level it needs, see
:mod:`dpup_eval.agreement.versions`), so the terminal, the HTML page and the workshop record all show the
same summary. Only contract wording is compared: no data value is read.

Pairs recognised:
- a field dropped from one purpose and added to another: **moved**;
- within a purpose, a field dropped and one added that says it ``replaces`` it (customProperty), or
  the only dropped and the only added field with the same role: **replaced**;
- a field kept whose detail went down (exact date -> month -> quarter -> year; an exact number -> groups;
  fewer groups): **coarsened** (the reverse: **made finer**); its descriptions, reworded to say the new
  shape, are not listed again.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from dpup_eval.agreement.contract import Agreement, Contract, Field
from dpup_eval.agreement.versions import Level, Version, required_level

__all__ = ["AgreementDiff", "Change", "PurposeVerdict", "detail_of", "diff_agreements", "diff_contracts"]

_TIME_SAMPLES = (("an exact date", "2025-03-14"), ("a month", "2025-03"), ("a quarter", "2025-Q1"),
                 ("a year", "2025"))
#: Contract wording compared for a patch-level change: (attribute, what people call it).
_WORDING = (
    ("purpose_statement", "Purpose statement"),
    ("child_purpose_statement", "Purpose statement for children"),
    ("recipient_plain", "Plain name of who receives it"),
    ("family_choices", "What families can choose"),
    ("legal_basis", "Legal basis"),
    ("how_to_ask", "How to ask"),
    ("retention_child", "How long it is kept, for children"),
    ("dataset_plain", "Dataset name"),
)


@dataclass(frozen=True)
class Change:
    """One change, as the summary says it. ``to_purpose`` is set for a field moved between purposes."""

    kind: str
    purpose: str
    summary: str
    level: Level
    field: str | None = None
    to_purpose: str | None = None
    before: str | None = None
    after: str | None = None

    def purposes(self) -> tuple[str, ...]:
        return (self.purpose, self.to_purpose) if self.to_purpose else (self.purpose,)


@dataclass(frozen=True)
class PurposeVerdict:
    """A purpose's old and new version against the level its changes need."""

    purpose: str
    old: str | None
    new: str | None
    level: Level | None

    @property
    def expected(self) -> str | None:
        """The smallest acceptable new version (None when nothing changed or a side is missing)."""
        if self.level is None or self.old is None or self.new is None:
            return None
        return str(Version.parse(self.old).bump(self.level))

    @property
    def problem(self) -> str | None:
        """Why the new version number does not fit its changes, in words (None when it does)."""
        if self.old is None or self.new is None:
            return None
        old, new = Version.parse(self.old, self.purpose), Version.parse(self.new, self.purpose)
        if self.level is None:
            return None if new >= old else f"version went back from {old} to {new}"
        expected = old.bump(self.level)
        if new < expected:
            return (f"version {new} is not enough: the changes need a {self.level} change, "
                    f"so at least {expected}")
        return None


@dataclass
class AgreementDiff:
    """Every change between two versions of a programme's agreement, purpose by purpose."""

    changes: list[Change] = field(default_factory=list)
    verdicts: list[PurposeVerdict] = field(default_factory=list)

    @property
    def level(self) -> Level | None:
        return required_level([c.level for c in self.changes])

    def for_purpose(self, purpose: str) -> list[Change]:
        return [c for c in self.changes if purpose in c.purposes()]

    @property
    def problems(self) -> list[str]:
        return [f"{v.purpose}: {v.problem}" for v in self.verdicts if v.problem]


def words(purpose: str) -> str:
    """``service_reporting`` -> ``service reporting``."""
    return purpose.replace("_", " ")


def lower_first(text: str) -> str:
    """``Age band`` -> ``age band``; ``NHI number`` stays (an acronym keeps its capitals)."""
    if len(text) > 1 and text[0].isupper() and text[1].islower():
        return text[0].lower() + text[1:]
    return text


def detail_of(f: Field) -> tuple[str, int, str]:
    """A field's family of detail, its rank in it (higher is coarser) and the words for it.

    ``("time", 1, "a month")``; ``("number", 0, "an exact number")``; ``("groups", n, "9 groups")``.
    """
    if f.logical_type == "date":
        return "time", 0, _TIME_SAMPLES[0][0]
    if f.logical_type == "string" and f.pattern and not f.allowed:
        for rank, (said, sample) in enumerate(_TIME_SAMPLES):
            if rank and re.fullmatch(f.pattern, sample):
                return "time", rank, said
    if f.allowed:
        return "groups", -len(f.allowed), f"{len(f.allowed)} groups"
    if f.logical_type in ("integer", "number"):
        return "number", 0, "an exact number"
    return "other", 0, f.logical_type


def _coarsening(old: Field, new: Field) -> tuple[str, str] | None:
    """("coarsened" | "made finer", sentence) when the detail of a kept or replacing field changed."""
    (family_a, rank_a, said_a), (family_b, rank_b, said_b) = detail_of(old), detail_of(new)
    if family_a == "number" and family_b == "groups":
        return "coarsened", f"as {said_b} instead of {said_a}"
    if family_a == "groups" and family_b == "number":
        return "made finer", f"as {said_b} instead of {said_a}"
    if family_a == family_b and family_a in ("time", "groups") and rank_a != rank_b:
        kind = "coarsened" if rank_b > rank_a else "made finer"
        return kind, f"as {said_b} instead of {said_a}"
    return None


def _range(f: Field) -> str:
    low = "any" if f.minimum is None else str(f.minimum)
    high = "any" if f.maximum is None else str(f.maximum)
    return f"{low} to {high}"


def _field_changes(purpose: str, old: Field, new: Field) -> list[Change]:
    """Changes to a field kept under the same name."""
    out: list[Change] = []
    name = old.plain_name

    def add(kind: str, summary: str, level: Level, before: str | None = None, after: str | None = None) -> None:
        out.append(Change(kind, purpose, summary, level, field=old.name, before=before, after=after))

    coarse = _coarsening(old, new)
    if coarse:
        add(f"field-{coarse[0].replace(' ', '-')}", f"{name} sent {coarse[1]}", "major",
            detail_of(old)[2], detail_of(new)[2])
    else:
        if old.logical_type != new.logical_type:
            add("field-type-changed", f"{name} now {new.logical_type} instead of {old.logical_type}", "major",
                old.logical_type, new.logical_type)
        if old.allowed != new.allowed:
            gone = sorted(set(old.allowed or ()) - set(new.allowed or ()))
            came = sorted(set(new.allowed or ()) - set(old.allowed or ()))
            said = "; ".join(p for p in (f"{len(came)} added" if came else "", f"{len(gone)} removed" if gone else "")
                             if p) or "reordered"
            add("field-categories-changed", f"{name}: categories changed ({said})", "major")
        if old.pattern != new.pattern:
            add("field-pattern-changed", f"{name}: the shape its values must have changed", "major",
                old.pattern, new.pattern)
    if (old.minimum, old.maximum) != (new.minimum, new.maximum) and not coarse:
        add("field-range-changed", f"{name}: allowed values now {_range(new)} instead of {_range(old)}", "major",
            _range(old), _range(new))
    if old.max_length != new.max_length:
        add("field-length-changed", f"{name}: longest answer now {new.max_length or 'any length'} instead of "
                                    f"{old.max_length or 'any length'}", "major")
    if old.required != new.required:
        add("field-required-changed", f"{name} now {'required' if new.required else 'optional'}", "major")
    if (old.unique, old.primary_key) != (new.unique, new.primary_key):
        add("field-key-changed", f"{name}: whether it identifies a row changed", "major")
    if old.multi_value_separator != new.multi_value_separator:
        add("field-separator-changed", f"{name}: how several answers are written changed", "major")
    if old.role != new.role:
        add("field-role-changed", f"{name} now {words(new.role)} instead of {words(old.role)}", "major",
            old.role, new.role)
    if coarse:
        return out  # its descriptions say the new shape: the coarsening line covers them
    if old.plain_name != new.plain_name:
        add("field-renamed", f"{name} now called {new.plain_name}", "patch", old.plain_name, new.plain_name)
    for attribute, said in (("adult_description", f"Description of {name} reworded"),
                            ("child_description", f"Description of {name} for children reworded"),
                            ("why", f"Why {lower_first(name)} is needed reworded")):
        before, after = getattr(old, attribute), getattr(new, attribute)
        if before != after:
            add(f"field-{attribute.replace('_', '-')}-reworded", said, "patch", before, after)
    kept_codes = set(old.labels) & set(new.labels)
    if any(old.labels[c] != new.labels[c] for c in kept_codes):
        add("field-labels-reworded", f"{name}: names of categories reworded", "patch")
    return out


def _promises(purpose: str, old: tuple[str, ...], new: tuple[str, ...], key: str, what: str) -> list[Change]:
    out = []
    for text in new:
        if text not in old:
            out.append(Change(f"{key}-added", purpose, f'Added to {what}: "{text}"', "minor", after=text))
    for text in old:
        if text not in new:
            out.append(Change(f"{key}-removed", purpose, f'Removed from {what}: "{text}"', "major", before=text))
    return out


def _terms(old: Contract, new: Contract) -> list[Change]:
    """Changes to what the agreement says around its fields."""
    p = old.purpose
    out: list[Change] = []
    if old.recipient != new.recipient:
        out.append(Change("recipient-changed", p, f'Now sent to {new.recipient} instead of {old.recipient}', "major",
                          before=old.recipient, after=new.recipient))
    out += _promises(p, old.not_used_for, new.not_used_for, "not-used-for", "what it will not be used for")
    out += _promises(p, old.not_seen_by, new.not_seen_by, "not-seen-by", "who will not see it")
    if old.schedule != new.schedule:
        out.append(Change("schedule-changed", p, f"Sent {new.schedule} instead of {old.schedule}", "minor",
                          before=old.schedule, after=new.schedule))
    if old.retention != new.retention:
        out.append(Change("retention-changed", p, "How long it is kept changed", "minor",
                          before=old.retention, after=new.retention))
    if old.min_group_size != new.min_group_size:
        raised = new.min_group_size > old.min_group_size
        out.append(Change("k-changed", p, f"Smallest group size (k) {'raised' if raised else 'lowered'} from "
                                          f"{old.min_group_size} to {new.min_group_size}",
                          "minor" if raised else "major"))
    before, after = old.disclosure_rules(), new.disclosure_rules()
    if before != after:
        tighter = all(getattr(after, k) >= getattr(before, k) for k in vars(before))
        out.append(Change("disclosure-changed", p, "Disclosure control " + ("tightened" if tighter else "loosened"),
                          "minor" if tighter else "major"))
    old_rules, new_rules = {r.name: r for r in old.rules}, {r.name: r for r in new.rules}
    for name, rule in new_rules.items():
        if name not in old_rules:
            out.append(Change("check-added", p, f"New check: {rule.description}", "major"))
        elif (rule.kind, rule.fields, rule.op) != (old_rules[name].kind, old_rules[name].fields, old_rules[name].op):
            out.append(Change("check-changed", p, f"Check changed: {rule.description}", "major"))
    for name, rule in old_rules.items():
        if name not in new_rules:
            out.append(Change("check-removed", p, f"Check removed: {rule.description}", "minor"))
    for attribute, said in _WORDING:
        if getattr(old, attribute) != getattr(new, attribute):
            out.append(Change("reworded", p, f"{said} reworded", "patch",
                              before=getattr(old, attribute), after=getattr(new, attribute)))
    return out


def _replacement(dropped: list[Field], added: list[Field]) -> list[tuple[Field, Field]]:
    """Pairs (old, new): a new field naming what it ``replaces``, else the only dropped/added of one role."""
    pairs: list[tuple[Field, Field]] = []
    by_name = {f.name: f for f in dropped}
    for new in added:
        if new.replaces and new.replaces in by_name:
            pairs.append((by_name.pop(new.replaces), new))
    taken = {new.name for _, new in pairs}
    rest_added = [f for f in added if f.name not in taken]
    for role in {f.role for f in by_name.values()}:
        olds = [f for f in by_name.values() if f.role == role]
        news = [f for f in rest_added if f.role == role]
        if len(olds) == 1 and len(news) == 1:
            pairs.append((olds[0], news[0]))
    return pairs


def diff_contracts(old: Contract, new: Contract) -> list[Change]:
    """Changes between two versions of one purpose's contract (compared by purpose, whatever the files' names)."""
    return list(diff_agreements(_single(old), _single(new)).changes)


def _single(contract: Contract) -> Agreement:
    return Agreement(contract.path, [contract])


def diff_agreements(old: Agreement, new: Agreement) -> AgreementDiff:
    """Every change from ``old`` to ``new``, purposes matched by name, with each purpose's version verdict."""
    result = AgreementDiff()
    dropped: dict[str, list[Field]] = {}
    added: dict[str, list[Field]] = {}
    for purpose in sorted(set(old.contracts) | set(new.contracts)):
        a, b = old.contracts.get(purpose), new.contracts.get(purpose)
        if a is None and b is not None:
            result.changes.append(Change("purpose-added", purpose, f"New purpose: {words(purpose)}, sent to "
                                                                   f"{b.recipient}", "major"))
            continue
        if b is None and a is not None:
            result.changes.append(Change("purpose-ended", purpose, f"Nothing sent any more for {words(purpose)}",
                                         "major"))
            continue
        assert a is not None and b is not None
        result.changes += _terms(a, b)
        for f in a.fields:
            if b.has_field(f.name):
                result.changes += _field_changes(purpose, f, b.field(f.name))
            else:
                dropped.setdefault(purpose, []).append(f)
        added[purpose] = [f for f in b.fields if not a.has_field(f.name)]
    _pair_moves_and_replacements(result, dropped, added)
    for purpose in sorted(set(old.contracts) | set(new.contracts)):
        a, b = old.contracts.get(purpose), new.contracts.get(purpose)
        level = required_level([c.level for c in result.for_purpose(purpose)])
        result.verdicts.append(PurposeVerdict(purpose, a.version if a else None, b.version if b else None, level))
    return result


def _pair_moves_and_replacements(result: AgreementDiff, dropped: dict[str, list[Field]],
                                 added: dict[str, list[Field]]) -> None:
    """Turn drops and additions into moves, replacements, and what is left as plain drops and additions."""
    for purpose, fields in dropped.items():
        for f in list(fields):
            target = next((q for q, news in added.items() if q != purpose and any(n.name == f.name for n in news)),
                          None)
            if target is None:
                continue
            fields.remove(f)
            added[target] = [n for n in added[target] if n.name != f.name]
            result.changes.append(Change("field-moved", purpose, f"{f.plain_name} moved from {words(purpose)} to "
                                                                  f"{words(target)}", "major", field=f.name,
                                         to_purpose=target))
    for purpose in sorted(set(dropped) | set(added)):
        olds, news = dropped.get(purpose, []), added.get(purpose, [])
        for before, after in _replacement(olds, news):
            olds.remove(before)
            news.remove(after)
            coarse = _coarsening(before, after)
            how = f" ({coarse[0]}: {detail_of(after)[2]} instead of {detail_of(before)[2]})" if coarse else ""
            result.changes.append(Change("field-replaced", purpose, f"{before.plain_name} replaced by "
                                                                     f"{lower_first(after.plain_name)}{how}", "major",
                                         field=before.name, before=before.name, after=after.name))
        for f in olds:
            result.changes.append(Change("field-dropped", purpose, f"{f.plain_name} no longer sent for "
                                                                    f"{words(purpose)}", "major", field=f.name))
        for f in news:
            result.changes.append(Change("field-added", purpose, f"{f.plain_name} now sent for {words(purpose)}",
                                         "major", field=f.name))
