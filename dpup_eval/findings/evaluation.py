"""Findings: each indicator's value per definition, group and period, with its uncertainty, safe to show.

:func:`evaluate` computes every indicator for everyone and for each group of each grouping (one
grouping at a time, never crossed), for each period and for all periods together. Estimates and
intervals come from the true values, then disclosure control decides what is shown (DESIGN.md,
"Disclosure control defaults"; rules from the contract, which may only make them stricter):

- every count of people is randomly rounded to base 3 by its cell key, worked out from the secret
  record keys of the people in the cell (:mod:`dpup_eval.findings.cell_keys`): the same people get the
  same rounded count in every table, measure and definition, one person more or less an unrelated one;
- a share (``proportion``/``improved``) is published from the **rounded** counts, with an interval
  that allows for the rounding; averages and medians are rounded to their measure's precision by the
  same cell key (:mod:`dpup_eval.findings.perturbation`); nothing is published at full precision;
- a share or count cell resting on fewer than ``minimum_count`` people, or with fewer than that many
  successes, is withheld; a mean, median or change needs ``minimum_for_mean`` people;
- secondary suppression over each grouping's group × period table *with* its totals (the Total row is
  the overall finding, the last column all periods), so no withheld cell can be worked out by
  subtraction; the Total row is protected consistently across every grouping;
- a withheld finding stays in the list with no numbers and a reason; it is never shown as 0.

Comparisons: each group is compared with everyone else in the same period, and each period with the
one before, by Newcombe's interval for shares (from rounded counts) and Welch's for means and
changes; ``distinguishable`` says whether the interval excludes 0. Medians are not compared.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any, Literal

import numpy as np
import pandas as pd
from pydantic import BaseModel, ConfigDict, PrivateAttr

from dpup_eval.agreement.contract import Contract, contract_for
from dpup_eval.errors import DataFileError, DpupEvalError
from dpup_eval.findings import tables
from dpup_eval.findings.comparisons import method_for, named_differences
from dpup_eval.findings.derived import DerivedOutcome, add_derived_columns, extend_contract
from dpup_eval.findings.disclosure import DisclosureRules
from dpup_eval.findings.guard import DisclosureGuard
from dpup_eval.findings.indicator_checks import grouping_problem
from dpup_eval.findings.indicators import (
    PROPORTION_KINDS,
    STATISTIC_KINDS,
    Definition,
    Indicator,
    IndicatorError,
    IndicatorIssue,
    IndicatorSet,
    _as_list,
    load_indicators,
    validate_indicators,
)
from dpup_eval.findings.periods import Grain, period_coding, period_problem
from dpup_eval.findings.reasons import TableContext, hidden_reasons

__all__ = ["Comparison", "Finding", "Findings", "evaluate", "evaluate_file", "with_derived"]


class Comparison(BaseModel):
    """This finding minus another: everyone else in the period, the previous period, or a named group.

    For a named group (``versus`` = ``"group"``), ``group`` is its code and ``versus_label`` its plain
    label ("control"). ``method`` names the interval (Newcombe for shares, Welch for averages).
    """

    model_config = ConfigDict(frozen=True)

    versus: Literal["everyone else", "previous period", "group"]
    versus_label: str
    difference: float
    ci_low: float | None
    ci_high: float | None
    distinguishable: bool | None
    method: str | None = None
    group: str | None = None


class Finding(BaseModel):
    """One indicator definition for one group and period, disclosure control applied.

    ``group`` maps a grouping field to its value ({} = everyone); ``period`` None = all periods.
    ``n`` is the published (rounded) number of people. Shares are 0 to 1. A suppressed finding has
    ``estimate``, ``ci_low``, ``ci_high``, ``n`` and comparisons all None and says why in ``reason``;
    a share withheld because nearly everyone (or nearly no one) in the group succeeded says so in
    ``band`` ("almost all" / "very few") instead of a number.
    """

    model_config = ConfigDict(frozen=True)

    indicator: str
    indicator_name: str
    definition: str
    definition_label: str
    proposed_by: str
    kind: str
    unit: str | None = None
    group: dict[str, str]
    group_label: str
    period: str | None
    period_label: str
    estimate: float | None
    ci_low: float | None
    ci_high: float | None
    n: int | None
    suppressed: bool
    reason: str | None = None
    hidden_by: Literal["small_numbers", "protects_elsewhere", "too_close"] | None = None
    band: Literal["almost all", "very few"] | None = None
    precision: float | None = None  # the step the estimate and its range are rounded to (None: exact)
    target: float | None
    direction: Literal["higher", "lower"]
    meets_target: bool | None
    versus_rest: Comparison | None = None
    versus_previous: Comparison | None = None
    versus_groups: list[Comparison] = []
    cautions: list[str] = []
    sentence: str


class Findings(BaseModel):
    """Every finding of one evaluation, and the rules they were published under."""

    model_config = ConfigDict(frozen=True)

    findings: list[Finding]
    rules: dict[str, int]
    contract: str
    purpose: str
    groupings: list[str]
    period_field: str | None
    period_grain: str | None = None
    periods: list[str]
    #: Per finding, the sets of people it rests on (kept in the kernel for the release ledger; never
    #: serialised, never sent to a page).
    _resting_on: list[Any] = PrivateAttr(default_factory=list)
    _definitions: dict[str, Any] = PrivateAttr(default_factory=dict)  # as evaluated (for the ledger)

    def __len__(self) -> int:
        return len(self.findings)

    def select(
        self, indicator: str | None = None, definition: str | None = None, grouping: str | None = None,
        period: str | None | Literal["any"] = "any",
    ) -> list[Finding]:  # fmt: skip
        """Findings matching every given criterion; ``grouping=""`` selects the overall ({}) findings."""
        chosen = []
        for f in self.findings:
            if indicator is not None and f.indicator != indicator:
                continue
            if definition is not None and f.definition != definition:
                continue
            if grouping is not None and (list(f.group) != ([grouping] if grouping else [])):
                continue
            if period != "any" and f.period != period:
                continue
            chosen.append(f)
        return chosen

    def to_frame(self) -> pd.DataFrame:
        """One row per finding (comparisons flattened), for notebooks."""
        rows = []
        for f in self.findings:
            row = f.model_dump(exclude={"versus_rest", "versus_previous", "versus_groups", "group", "cautions"})
            row["group"] = f.group_label
            for name in ("versus_rest", "versus_previous"):
                comparison = getattr(f, name)
                row[f"{name}_difference"] = comparison.difference if comparison else None
                row[f"{name}_distinguishable"] = comparison.distinguishable if comparison else None
            rows.append(row)
        return pd.DataFrame(rows)

    def to_json(self, indent: int | None = 2) -> str:
        """The findings as a JSON list (what dashboards and reports receive: no row-level data)."""
        return json.dumps(
            [f.model_dump(mode="json") for f in self.findings], ensure_ascii=False, indent=indent
        )

    def to_html(self, title: str = "Findings") -> str:
        """A standalone page: findings table with sentences and the charts, plotly.js inline (no network)."""
        from dpup_eval.findings.charts import findings_page

        return findings_page(self, title)


def evaluate(
    data: pd.DataFrame,
    indicators: IndicatorSet | Sequence[Indicator] | Indicator,
    by: Sequence[str] | None = None,
    period: str | None = None,
    *,
    contract: Contract | None = None,
    rules: DisclosureRules | None = None,
    period_grain: Grain | None = None,
    guard: DisclosureGuard | None = None,
) -> Findings:
    """Evaluate indicators over accepted data (from :func:`dpup_eval.load`) into published findings.

    ``by``: grouping fields, each evaluated separately alongside the overall findings (None = each
    indicator's own ``groupings``, minus the period field). ``period``: a field whose values are the
    periods: text such as ``2025-03``, ``2025-Q1`` or ``2025``, or a date, read at ``period_grain``
    (``month``, ``quarter`` or ``year``; default the contract's schedule, else quarters); text months
    can be read as quarters or years too. No ``period``: findings over everyone's time together.
    ``contract``: the agreement the data was loaded for (required: there is no default programme);
    indicators are validated against it and its disclosure rules apply. ``rules`` may only be
    stricter than the contract's.
    ``guard``: what this programme has already published (:class:`~dpup_eval.findings.guard.DisclosureGuard`;
    the workshop and the command line pass theirs). Without one, only this call's findings are
    checked against each other.
    """
    items = _as_list(indicators)
    if contract is None:
        raise DpupEvalError("evaluate() needs the contract the data was loaded for (contract=...)")
    validate_indicators(indicators if isinstance(indicators, IndicatorSet) else items, contract)
    if isinstance(indicators, IndicatorSet) and indicators.derived:
        data, contract = with_derived(data, contract, indicators.derived)
    rules = _rules(contract, rules)
    requested = None if by is None else list(dict.fromkeys(by))
    issues = []
    for name in requested or []:
        problem = grouping_problem(name, contract) or (
            None if name in data.columns else f"'{name}' is not in the data"
        )
        if problem:
            issues.append(IndicatorIssue(place="by", message=problem))
    problem = period_problem(period, period_grain, contract, data) if period else None
    if problem:
        issues.append(IndicatorIssue(place="period", message=problem))
    if issues:
        raise IndicatorError(issues, "evaluate")
    rows = len(data)
    grain = None
    if period:
        periods, grain = period_coding(data, period, contract, period_grain)
    else:
        periods = tables.Coding(("*",), np.zeros(rows, np.int64))
    codings: dict[str, tables.Coding] = {}
    findings: list[Finding] = []
    from dpup_eval.findings.wording import Wording

    wording = Wording(contract, period, rules, grain)
    guard = (guard or DisclosureGuard(contract)).using(data, rules)
    resting_on: list[Any] = []  # per finding, the populations it rests on (for the release ledger)
    for indicator in items:
        names = requested if requested is not None else [g for g in indicator.groupings if g != period]
        names = [*names, *(c.field for c in indicator.compare if c.field not in names and c.field != period)]
        for name in names:
            if name not in codings:
                codings[name] = tables.Coding.of(data[name])
        for definition in indicator.definitions:
            findings += _evaluate_definition(
                data, indicator, definition, [(n, codings[n]) for n in names], periods, period, rules, wording,
                guard, resting_on,
            )  # fmt: skip
    result = Findings(
        findings=findings, rules={"rounding_base": rules.rounding_base, "minimum_count": rules.minimum_count,
                                  "minimum_for_mean": rules.minimum_for_mean},
        contract=contract.id, purpose=contract.purpose, groupings=list(dict.fromkeys(
            g for i in items for g in [*(requested if requested is not None else i.groupings),
                                       *(c.field for c in i.compare)] if g != period)),
        period_field=period, period_grain=grain, periods=[] if not period else list(periods.labels),
    )  # fmt: skip
    result._resting_on = resting_on
    result._definitions = {i.id: {d.id: d.model_dump(mode="json") for d in i.definitions} for i in items}
    return result


def evaluate_file(
    file: str | Path,
    contract_path: str | Path,
    purpose: str,
    indicators_path: str | Path,
    by: Sequence[str] | None = None,
    period: str | None = None,
    period_grain: Grain | None = None,
    release: str | None = None,
) -> Findings:
    """Load ``file`` for ``purpose`` (checked against the contract), then evaluate the indicators file.

    Only accepted rows are used; quarantined rows are left out as the check report says.
    ``contract_path`` is a loaded contract, a contract file or a programme (agreement) folder. ``release``:
    the findings leave the workbench this way (e.g. "dpup-eval evaluate ..."): they are checked against,
    and recorded in, the programme's release ledger.
    """
    from dpup_eval.intake.loading import load

    contract = contract_for(contract_path, purpose)
    indicators = load_indicators(indicators_path, contract)
    result = load(file, contract, purpose)
    if not result.report.accepted:
        raise DataFileError(
            file,
            "was not accepted against its contract, so nothing is evaluated; run `dpup-eval check` to see why",
        )
    guard = DisclosureGuard.for_programme(contract) if release else None
    findings = evaluate(result.data, indicators, by=by, period=period, contract=contract, period_grain=period_grain,
                        guard=guard)  # fmt: skip
    if guard is not None and release:
        guard.record(findings, release)
    return findings


def with_derived(
    data: pd.DataFrame, contract: Contract, derived: Sequence[DerivedOutcome]
) -> tuple[pd.DataFrame, Contract]:
    """The data and contract with the derived outcomes added (:mod:`dpup_eval.findings.derived`).

    :func:`evaluate` does this itself for an :class:`IndicatorSet`; a caller that evaluates one
    indicator at a time (a workshop page) does it once, up front, so derived fields are known.
    """
    contract, _ = extend_contract(contract, derived)
    missing = sorted({p for o in derived for p in (o.operation or ("", []))[1]} - set(data.columns) - {
        o.name for o in derived})  # fmt: skip
    if missing:
        raise IndicatorError(
            [IndicatorIssue(place="derived", message=f"the data has no column {', '.join(missing)}")], "evaluate"
        )
    return add_derived_columns(data, contract, derived), contract


def _rules(contract: Contract, rules: DisclosureRules | None) -> DisclosureRules:
    agreed = contract.disclosure_rules()
    return agreed if rules is None else rules.no_looser_than(agreed, "the contract's")


def _person_arrays(
    data: pd.DataFrame, indicator: Indicator, d: Definition
) -> tuple[np.ndarray, np.ndarray | None, np.ndarray | None]:
    """Who is counted (``selected``), their measure, and who succeeded, one entry per row."""
    selected = np.ones(len(data), dtype=bool)
    for item in d.include:
        selected &= item.mask(data)

    def numbers(name: str) -> np.ndarray:
        return data[name].to_numpy(dtype=float, na_value=np.nan)

    measure = None
    if d.pre and d.post:
        measure = numbers(d.post) - numbers(d.pre)
    elif d.field:
        measure = numbers(d.field)
        if d.per:
            with np.errstate(divide="ignore", invalid="ignore"):
                measure = np.where(numbers(d.per) > 0, measure / numbers(d.per), np.nan)
    if measure is not None:
        selected &= ~np.isnan(measure)
    success = None
    if d.success:
        success = np.ones(len(data), dtype=bool)
        for item in d.success:
            success &= item.mask(data)
    elif d.threshold is not None and measure is not None:
        success = measure >= d.threshold - 1e-9
    if indicator.kind == "count" and success is not None:
        selected &= success
    return selected, measure, success


def _evaluate_definition(
    data: pd.DataFrame, indicator: Indicator, d: Definition, groupings: list[tuple[str, tables.Coding]],
    periods: tables.Coding, period_field: str | None, rules: DisclosureRules, wording: Any, guard: Any,
    resting_on: list[Any],
) -> list[Finding]:  # fmt: skip
    kind = indicator.kind
    selected, measure, success = _person_arrays(data, indicator, d)
    periods = _possible_periods(data, periods, period_field, d)
    groupings = [(name, _possible(coding, name, d, selected)) for name, coding in groupings]
    groupings = [(name, coding) for name, coding in groupings if len(coding.labels) > 1]
    centre = float(np.nanmean(measure[selected])) if measure is not None and selected.any() else 0.0
    wins = success if kind in PROPORTION_KINDS else None

    def stats(rows: tables.Coding) -> tables.Cells:
        return tables.cell_stats(kind, selected, rows, periods, success=wins, measure=measure, centre=centre)

    overall = stats(tables.Coding.single(len(data)))
    grouped = [stats(coding).stack(overall) for _, coding in groupings]
    minimum = rules.minimum_for_mean if kind in STATISTIC_KINDS else rules.minimum_count
    single = tables.Coding.single(len(data))
    plan = guard.plan(indicator, d, selected, success, [(None, single), *groupings], periods)

    def protect(extra: list[np.ndarray]) -> tuple[list[np.ndarray], np.ndarray]:
        primary = [plan.primary(c, minimum) | e for c, e in zip([overall, *grouped], extra, strict=True)]
        return tables.protect([c.n for c in grouped], primary[1:], overall.n[0], primary[0][0], rules)

    masks, overall_mask = plan.settle([overall, *grouped], protect, minimum)
    labels = [*periods.labels[:], None] if period_field else [None]
    keep_cols = (
        list(range(len(periods.labels))) + [len(periods.labels)] if period_field else [len(periods.labels)]
    )
    out: list[Finding] = []
    blocks: list[tuple[str | None, tuple[str, ...], tables.Cells, np.ndarray, np.ndarray]] = [
        (None, ("*",), overall, overall_mask[None, :], plan.primary(overall, minimum))
    ]
    blocks += [
        (name, coding.labels, cells, mask, plan.primary(cells, minimum)[:-1])
        for (name, coding), cells, mask in zip(groupings, grouped, masks, strict=True)
    ]
    phrase = d.phrase or d.label[:1].lower() + d.label[1:]
    for b, (name, group_labels, cells, mask, own_primary) in enumerate(blocks):
        published = tables.publish(kind, cells, mask, rules, bool(period_field), plan.noises[b])
        context = TableContext(kind, rules, phrase, wording.grouping_words(name), wording.periods_word())
        rows = len(own_primary)
        published["hidden"] = hidden_reasons(
            mask[:rows], own_primary, context, bool(period_field), too_close=plan.too_close(b)[:rows],
            bands=plan.band[b][:rows],
        )  # fmt: skip
        published["band"] = plan.band[b]
        pairs = [p for c in indicator.compare if c.field == name for p in c.pairs_among(group_labels)]
        published["versus_groups"] = named_differences(
            kind, cells, published["estimate"], mask, published.pop("rounded"), group_labels, pairs,
            spread=published.pop("spread"), protected=guard.protections.magnitudes, base=rules.rounding_base,
        )  # fmt: skip
        n_rows = len(group_labels) if name else 1
        for r in range(n_rows):
            group: dict[str, str] = {name: group_labels[r]} if name else {}
            other = group_labels[1 - r] if name and n_rows == 2 else None  # "everyone else" is one group
            for c, column in zip(keep_cols, labels, strict=True):
                values = {k: v[r][c] for k, v in published.items()}
                out.append(_finding(wording, indicator, d, group, column, values, other))
                resting_on.append(plan.at(b, r, c))
    return out


def _possible(coding: tables.Coding, name: str, d: Definition, selected: np.ndarray) -> tables.Coding:
    """The groups that can hold people of this measure; the others are structurally empty, not small.

    Two kinds are dropped before any suppression (left in, a group that cannot have anyone is "fewer
    than 6 people", and secondary suppression then hides a real group to protect it):
    a group the definition's own filters exclude ("parents" has no child row; ``arm in [0, 1]`` has no
    "not recorded" row), and the ``not recorded`` group when nobody inside the measure has the value
    missing (a mentor field blank for everyone outside the incentive arm, an arm blank for students
    outside the trial). A group the contract agrees but nobody happens to be in stays, and is withheld.
    The filters are applied to each group's value in the data's own type, so they work on text,
    whole numbers, numbers, true/false and dates alike.
    """
    wanted = np.ones(len(coding.labels), dtype=bool)
    own = [item for item in d.include if item.field == name]
    if own and coding.values is not None:
        groups = pd.DataFrame({name: coding.values})
        for item in own:
            wanted &= item.mask(groups)
    blank = coding.not_recorded
    if blank is not None and not (selected & (coding.codes == blank)).any():
        wanted[blank] = False
    return coding if wanted.all() else coding.keep(wanted)


def _possible_periods(
    data: pd.DataFrame, periods: tables.Coding, period_field: str | None, d: Definition
) -> tables.Coding:
    """The periods the definition's own filters on the period field allow ("joined from March" has no
    January column): a period none of whose people can pass those filters is structurally empty."""
    own = [item for item in d.include if period_field is not None and item.field == period_field]
    if not own:
        return periods
    passing = np.ones(len(data), dtype=bool)
    for item in own:
        passing &= item.mask(data)
    wanted = np.bincount(periods.codes[passing], minlength=len(periods.labels)) > 0
    return periods if wanted.all() else periods.keep(wanted)


def _finding(
    wording: Any, indicator: Indicator, d: Definition, group: dict[str, str], period: str | None,
    values: dict[str, Any], other: str | None = None,
) -> Finding:  # fmt: skip
    suppressed = bool(values["suppressed"])
    estimate = None if suppressed else values["estimate"]
    meets = None
    if estimate is not None and indicator.target is not None:
        # On the published number: a share shown as 60% meets a 60% target (the sentence says "at").
        from dpup_eval.findings.wording import published_step, target_position

        step = published_step(indicator.kind, values["precision"])
        position = target_position(estimate, indicator.target, None, None, step)
        meets = position == "at" or position.endswith("above" if indicator.direction == "higher" else "below")
    comparisons: dict[str, Any] = {}
    method = method_for(indicator.kind)
    for name, versus in (("versus_rest", "everyone else"), ("versus_previous", "previous period")):
        parts = None if suppressed else values[name]
        if parts is not None:
            diff, low, high = parts
            comparisons[name] = Comparison(
                versus=versus, versus_label=wording.versus_label(versus, group, period, other),  # type: ignore[arg-type]
                difference=diff, ci_low=low, ci_high=high, method=method,
                distinguishable=None if low is None else bool(low > 0 or high < 0),
            )  # fmt: skip
    if not suppressed and values["versus_groups"]:
        (field,) = group
        comparisons["versus_groups"] = [
            Comparison(
                versus="group", versus_label=wording.value_label(field, pair.other), group=pair.other,
                difference=pair.difference, ci_low=pair.ci_low, ci_high=pair.ci_high, method=pair.method,
                distinguishable=None if pair.ci_low is None else bool(pair.ci_low > 0 or pair.ci_high < 0),
            )
            for pair in values["versus_groups"]
        ]  # fmt: skip
    fields = dict(
        indicator=indicator.id, indicator_name=indicator.name, definition=d.id, definition_label=d.label,
        proposed_by=d.proposed_by, kind=indicator.kind, unit=indicator.unit, group=group,
        group_label=wording.group_label(group), period=period, period_label=wording.period_label(period),
        estimate=estimate, ci_low=None if suppressed else values["ci_low"],
        ci_high=None if suppressed else values["ci_high"],
        n=None if suppressed or values["n"] is None else int(values["n"]), suppressed=suppressed,
        reason=values["hidden"].words if suppressed else None,
        hidden_by=values["hidden"].code if suppressed else None,
        band=values["band"] if suppressed else None,
        precision=None if suppressed or values["precision"] is None else float(values["precision"]),
        target=indicator.target, direction=indicator.direction, meets_target=meets, **comparisons,
    )  # fmt: skip
    sentence, cautions = wording.describe(indicator, d, fields)
    return Finding(**fields, sentence=sentence, cautions=cautions)
