"""Why a finding is hidden, in words a workshop can act on, without pointing at the small group.

Disclosure control hides a result for one of two reasons: a group in the same table is small (fewer
than 6 people, fewer than 6 successes, or fewer than 20 people behind an average), and the results
are hidden *together* so that none can be worked out from the totals; or the result would reveal a
result hidden elsewhere (the total for everyone is shared by every breakdown). A reason names the
rule and the table, and says what to do to see more (look at all periods together, combine small
groups), but never which of the hidden results is the small one: saying "this one has fewer than 6
people, that one is hidden to protect it" would point at the small group. So every hidden result of
a table gets the same reason.

Two more rules hide results (:mod:`dpup_eval.findings.guard`): a result whose people differ by 1 to 5
from a set already published (subtracting one from the other would give those few away), and a share
where fewer than 6 did, or did not, succeed. The first gets the table's shared words too, with the
overlap rule named among the reasons, so the result that was too close is not pointed at (naming it
would say that a handful of people lie between it and the other). The second is not a secret: its
sentence says "almost all" or "very few" instead of a number, and its reason says so.

``hidden_by`` codes (stable, for programs): ``small_numbers``, ``protects_elsewhere``, ``too_close``.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from dpup_eval.agreement.disclosure_rules import DisclosureRules
from dpup_eval.findings.indicators import PROPORTION_KINDS, STATISTIC_KINDS

__all__ = ["HiddenReason", "TableContext", "hidden_reasons"]


@dataclass(frozen=True)
class HiddenReason:
    """A stable code and the words shown with a hidden finding (the words start with the rule)."""

    code: str
    words: str


@dataclass(frozen=True)
class TableContext:
    """What a reason needs to know about the table: the grouping in words, the periods, the measure."""

    kind: str
    rules: DisclosureRules
    success_phrase: str
    grouping: str | None  # plain name of the grouping ("trial arm"), None for the everyone row
    periods: str | None  # plural period word ("months"), None without periods


def _rule(context: TableContext) -> tuple[str, str | None]:
    """The rule that hides small results, short (for a chart's band) and with a note, or None."""
    rules = context.rules
    if context.kind in STATISTIC_KINDS:
        minimum = rules.minimum_for_mean
        return f"fewer than {minimum} people", f"an average or middle value needs at least {minimum}"
    if context.kind in PROPORTION_KINDS:
        return (
            f"fewer than {rules.minimum_count} people, or fewer than {rules.minimum_count} who "
            f"{context.success_phrase}",
            None,
        )
    return f"fewer than {rules.minimum_count} people", None


def _advice(context: TableContext, in_period: bool) -> str:
    steps = []
    if in_period and context.periods:
        steps.append(f"look at all {context.periods} together")
    if context.grouping:
        steps.append(f"combine small groups of {context.grouping}")
    return f" To see more, {', or '.join(steps)}." if steps else ""


_CLOSE = "too close to a result already shown (differing by fewer than {minimum} people, which subtraction would give away)"


def hidden_reasons(
    hidden: np.ndarray, primary: np.ndarray, context: TableContext, has_periods: bool,
    too_close: np.ndarray | None = None, bands: np.ndarray | None = None,
) -> np.ndarray:  # fmt: skip
    """Per cell of a group × period table, a :class:`HiddenReason` where hidden (None where shown).

    ``hidden``: the final suppression mask; ``primary``: the cells hidden for their own sake;
    ``too_close``: the cells hidden by the overlap rule; ``bands``: per cell, "almost all"/"very few"
    where a share is said in words. All cover only this block's rows (a grouping's groups, or the
    everyone row). The last column is all periods together.
    """
    result = np.full(hidden.shape, None, dtype=object)
    small_here = bool(primary.any())
    close_here = too_close is not None and bool(too_close.any())
    short, note = _rule(context)
    close = _CLOSE.format(minimum=context.rules.minimum_count)
    if context.grouping:
        where = f"in at least one group of the results by {context.grouping}"
    else:
        some_period = f" in at least one of the {context.periods}" if has_periods and context.periods else ""
        where = f"for everyone{some_period}"
    for r, c in zip(*np.nonzero(hidden), strict=True):
        advice = _advice(context, in_period=has_periods and c < hidden.shape[1] - 1)
        if bands is not None and bands[r, c] is not None:
            words = f"{bands[r, c]} of them (the exact share is not shown: in a small group it could point at someone)."
            result[r, c] = HiddenReason("small_numbers", words)
        elif small_here:
            detail = "; ".join(part for part in (note, where) if part)
            also = f", or {close}" if close_here else ""
            words = (
                f"{short}{also} ({detail}; these results are hidden together so that none can be worked out "
                f"from the totals).{advice}"
            )
            result[r, c] = HiddenReason("small_numbers", words)
        elif close_here:
            words = (
                f"{close}, or hidden with such a result (these results are hidden together so that none can be "
                f"worked out from the totals).{advice}"
            )
            result[r, c] = HiddenReason("too_close", words)
        else:
            words = (
                "hidden to protect a small group elsewhere (shown, it would let a result hidden in "
                f"another breakdown be worked out from the total for everyone).{advice}"
            )
            result[r, c] = HiddenReason("protects_elsewhere", words)
    return result
