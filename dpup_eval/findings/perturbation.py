"""Published numbers: perturbed by cell keys, at a declared precision, with intervals that stay honest.

What each kind of number becomes (every draw comes from the cell's key, :mod:`dpup_eval.findings.cell_keys`,
so the same people give the same published number everywhere):

- **counts** of people are randomly rounded to base 3 (RR3) with the cell key as the draw;
- **shares** are the rounded successes over the rounded people (both rounded by their own sets' keys);
  their interval is Wilson's with the rounding noise added to the binomial variance
  (:func:`dpup_eval.findings.intervals.wilson`, ``rounding_variance``), set to (b² - 1)/8 for base b:
  three quarters of RR's average variance (b² - 1)/6. Simulation (tests/test_coverage.py) put the
  full variance at up to 98% coverage for the smallest groups (the counts are so coarse there that
  Wilson is already conservative); three quarters keeps 95% intervals between 94% and 97% for groups
  of 6 to 500;
- **averages** (means and changes) are randomly rounded, by a draw derived from the cell key and the
  measure, to a step: the measure's declared precision (:func:`measure_precision`), made finer by
  tenths while the likely range is under five steps wide (else the rounding would distort it), but for
  whole-number measures never finer than 1/(n - 2), n the published count: then every count the
  published count could stand for has a whole-number total matching the published average, so the
  average's decimals give the count away no longer (the "integer-mean trick"). The average is worked
  out with the true count: dividing by the published count would narrow the total down more, not less.
  The interval is Student's t around the published average with the rounding's variance (step²/6)
  added to the sampling variance, its ends rounded to the same step;
- **medians** are randomly rounded to the declared precision the same way; their order-statistic
  bounds are rounded to it (they are people's own values, which is why a median needs 20 people).

With :class:`~dpup_eval.findings.disclosure.Protections` switched off (tests only) counts are rounded by
their labels with the public default key, and averages, medians and intervals are not rounded.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from dpup_eval.agreement.contract import Contract
from dpup_eval.findings.cell_keys import KEY_SPACE, KeyCells, derived_draws, key_draws
from dpup_eval.findings.disclosure import Protections, label_draws, round_with_draws
from dpup_eval.findings.indicators import Definition
from dpup_eval.findings.intervals import mean_t_from_summary, newcombe_difference, t_quantile

__all__ = [
    "Noise",
    "Precision",
    "average_difference",
    "measure_precision",
    "measure_range",
    "publish_average",
    "publish_median",
    "round_to_steps",
    "share_rounding_variance",
    "table_noise",
]

SHARE_STEP = 0.01  # shares: whole percents
_RATIO_STEP = 0.01  # a measure that is one field per another (sessions attended per offered)
_FINER = 2  # at most two more decimals than declared


@dataclass(frozen=True)
class Precision:
    """A measure's publishing precision: ``step`` (e.g. 0.1) and whether each person's value is whole."""

    step: float
    whole: bool


def _declared(contract: Contract | None, name: str | None) -> tuple[float | None, bool, float | None]:
    """(declared precision, whole-number field, range) of one field, as far as the contract says."""
    if contract is None or name is None or not contract.has_field(name):
        return None, False, None
    f = contract.field(name)
    span = None
    if isinstance(f.minimum, int | float) and isinstance(f.maximum, int | float):
        span = float(f.maximum) - float(f.minimum)
    return f.precision, f.logical_type == "integer", span


def measure_precision(d: Definition, contract: Contract | None) -> Precision:
    """The precision a definition's averages and medians are published at.

    A field's ``publishPrecision`` (contract customProperty) wins; otherwise one hundredth of the
    field's range to one significant figure (0 to 40 -> 0.1, 0 to 1,000 -> 10), or 0.1 when the
    contract gives no range. A change (after minus before) takes the "before" field's precision; one
    field per another (a rate) is published to 0.01.
    """
    if d.per:
        return Precision(_RATIO_STEP, whole=False)
    name = d.pre if d.pre and d.post else d.field
    declared, whole, span = _declared(contract, name)
    if d.pre and d.post:
        whole = whole and _declared(contract, d.post)[1]
    if declared is None:
        declared = 10.0 ** (math.floor(math.log10(span)) - 2) if span and span > 0 else 0.1
    return Precision(float(declared), whole)


def measure_range(d: Definition, contract: Contract | None) -> tuple[float | None, float | None]:
    """The lowest and highest value one person's measure can take, as the contract says (or None)."""

    def bounds(name: str | None) -> tuple[float | None, float | None]:
        if contract is None or name is None or not contract.has_field(name):
            return None, None
        f = contract.field(name)
        ok = all(isinstance(v, int | float) for v in (f.minimum, f.maximum))
        return (float(f.minimum), float(f.maximum)) if ok else (None, None)  # type: ignore[arg-type]

    if d.pre and d.post:
        (pre_low, pre_high), (post_low, post_high) = bounds(d.pre), bounds(d.post)
        if None in (pre_low, pre_high, post_low, post_high):
            return None, None
        return post_low - pre_high, post_high - pre_low  # type: ignore[operator]
    low, high = bounds(d.field)
    if d.per and high is not None:
        return (0.0 if low is None or low >= 0 else None), high  # per at least one
    return low, high


def _decimals(step: float) -> int:
    return max(0, math.ceil(-math.log10(step) - 1e-9)) + (0 if math.log10(step).is_integer() else 1)


def round_to_steps(values: np.ndarray, steps: np.ndarray | float, draws: np.ndarray | None = None) -> np.ndarray:
    """Values as multiples of their step: randomly (up with probability = the distance, unbiased) given
    ``draws``, else to the nearest. NaN stays NaN; tidy decimals (0.3, not 0.30000000000000004)."""
    values = np.asarray(values, dtype=float)
    steps = np.broadcast_to(np.asarray(steps, dtype=float), values.shape)
    with np.errstate(invalid="ignore"):
        q = values / steps
        whole = np.round(q) if draws is None else np.floor(q) + (np.asarray(draws) < q - np.floor(q))
        result = whole * steps
    out = np.empty_like(result)
    for step in np.unique(steps):
        chosen = steps == step
        out[chosen] = np.round(result[chosen], _decimals(float(step)))
    return out


def share_rounding_variance(base: int) -> float:
    """The rounding variance shares' intervals allow for (see the module docstring)."""
    return (base * base - 1) / 8.0


@dataclass
class Noise:
    """How one table's numbers are perturbed: its cells' draws, and the protections in force."""

    people: np.ndarray  # one draw per cell for the count of people
    successes: np.ndarray | None  # one per cell for the count of successes (shares)
    averages: np.ndarray | None  # one per cell for the average or median of the measure
    rest_averages: np.ndarray | None  # one per cell for everyone else's average (Total minus the cell)
    precision: Precision
    protections: Protections
    base: int

    def counts(self, n: np.ndarray, draws: np.ndarray | None = None) -> np.ndarray:
        """Counts rounded to the base by their draws (``people``'s unless given)."""
        return round_with_draws(n, self.people if draws is None else draws, self.base).astype(float)


def table_noise(
    d: Definition, kind: str, people: KeyCells, successes: KeyCells | None, labels: tuple[list[str], list[str]],
    precision: Precision, protections: Protections, base: int,
) -> Noise:  # fmt: skip
    """The draws for one table (rows x columns, last row the Total): by cell keys, or (cell keys off,
    tests only) by each cell's label with the public default key, as findings were rounded before."""
    salt = f"{kind}:{'|'.join(d.measure_fields)}"
    rest_key = np.mod(people.key[-1:] - people.key, KEY_SPACE)
    if protections.cell_keys:
        return Noise(
            people=key_draws(people.key), successes=None if successes is None else key_draws(successes.key),
            averages=derived_draws(people.key, salt), rest_averages=derived_draws(rest_key, salt),
            precision=precision, protections=protections, base=base,
        )  # fmt: skip
    rows, columns = labels
    population = d.population_key()
    cells = [f"{row}|{column}" for row in rows for column in columns]
    shape = people.key.shape

    def draws(prefix: str) -> np.ndarray:
        return label_draws([f"{prefix}{cell}" for cell in cells]).reshape(shape)

    return Noise(
        people=draws(f"{population}|"),
        successes=None if successes is None else draws(f"{population}|{d.success_key()}|"),
        averages=draws(f"{salt}|{population}|"), rest_averages=draws(f"rest|{salt}|{population}|"),
        precision=precision, protections=protections, base=base,
    )  # fmt: skip


def _steps(precision: Precision, n_published: np.ndarray, half_width: np.ndarray) -> np.ndarray:
    """Each cell's step for an average (see the module docstring)."""
    n_published = np.asarray(n_published, dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        floor = np.where(precision.whole, 1.0 / np.maximum(n_published - 2.0, 1.0), 0.0)
    steps = np.full(n_published.shape, precision.step)
    for _ in range(8):  # coarser until safe (tiny declared precisions)
        steps = np.where(steps < floor, steps * 10.0, steps)
    for _ in range(_FINER):
        finer = (steps / 10.0 >= floor) & (steps > np.nan_to_num(half_width, nan=np.inf) / 5.0)
        steps = np.where(finer, steps / 10.0, steps)
    return steps


def publish_average(
    mean: np.ndarray, sd: np.ndarray, n: np.ndarray, n_published: np.ndarray, noise: Noise,
    confidence: float = 0.95,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:  # fmt: skip
    """(published average, low, high, step) per cell for a mean or change (see the module docstring).

    Without magnitude protection: the exact mean and its t interval, step 0.
    """
    n = np.asarray(n, dtype=float)
    if not noise.protections.magnitudes:
        low, high = mean_t_from_summary(n, mean, sd, confidence)
        return mean, low, high, np.zeros_like(n)
    enough = n >= 2
    t = t_quantile(0.5 + confidence / 2.0, np.where(enough, n - 1.0, 1.0))
    with np.errstate(divide="ignore", invalid="ignore"):
        half = t * sd / np.sqrt(n)
        steps = _steps(noise.precision, n_published, half)
        published = round_to_steps(mean, steps, noise.averages)
        half = t * np.sqrt(sd * sd / n + steps * steps / 6.0)
        low = np.where(enough, round_to_steps(published - half, steps), np.nan)
        high = np.where(enough, round_to_steps(published + half, steps), np.nan)
        return published, np.minimum(low, published), np.maximum(high, published), steps


def share_difference(
    first: tuple[np.ndarray, np.ndarray], second: tuple[np.ndarray, np.ndarray], base: int, protected: bool,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:  # fmt: skip
    """Published share minus published share, with Newcombe's interval from the rounded counts.

    Each side is (rounded successes, rounded people). Protected, the difference is exactly the difference
    of the two published (whole-percent) shares, so it tells a reader nothing the two shares do not;
    the interval allows for the rounding, is published to whole percents and always contains it.
    """
    (s1, n1), (s2, n2) = first, second
    diff, low, high = newcombe_difference(s1, n1, s2, n2, rounding_variance=share_rounding_variance(base))
    if not protected:
        return diff, low, high
    with np.errstate(divide="ignore", invalid="ignore"):
        shown1 = round_to_steps(np.asarray(s1, dtype=float) / n1, SHARE_STEP)
        shown2 = round_to_steps(np.asarray(s2, dtype=float) / n2, SHARE_STEP)
    diff = round_to_steps(shown1 - shown2, SHARE_STEP)
    low, high = round_to_steps(low, SHARE_STEP), round_to_steps(high, SHARE_STEP)
    return diff, np.fmin(low, diff), np.fmax(high, diff)


def average_difference(
    first: tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray],
    second: tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray],
    protected: bool, confidence: float = 0.95,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:  # fmt: skip
    """Published average minus published average, with Welch's interval allowing for both roundings.

    Each side is (published average, sd, n, step). The difference is exactly that of the *published*
    numbers (never of true averages: that would give away what the rounding hides), so it says nothing
    they do not (steps are the declared precision times powers of ten, so it sits on the finer step);
    the interval is published on the coarser step and always contains it.
    """
    (m1, sd1, n1, st1), (m2, sd2, n2, st2) = first, second
    n1, n2 = np.asarray(n1, dtype=float), np.asarray(n2, dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        v1, v2 = sd1**2 / n1 + st1**2 / 6.0, sd2**2 / n2 + st2**2 / 6.0
        se2 = v1 + v2
        df = se2**2 / (v1**2 / (n1 - 1) + v2**2 / (n2 - 1))
        df = np.where(np.isfinite(df) & (df > 0), df, 1.0)
        half = t_quantile(0.5 + confidence / 2.0, df) * np.sqrt(se2)
        diff = m1 - m2
        ok = (n1 >= 2) & (n2 >= 2)
        if protected:
            diff = round_to_steps(diff, np.minimum(st1, st2))
            steps = np.maximum(st1, st2)
            low, high = round_to_steps(diff - half, steps), round_to_steps(diff + half, steps)
            low, high = np.fmin(low, diff), np.fmax(high, diff)
        else:
            low, high = diff - half, diff + half
        return diff, np.where(ok, low, np.nan), np.where(ok, high, np.nan)


def publish_median(
    median: np.ndarray, low: np.ndarray, high: np.ndarray, noise: Noise
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(published median, low, high): randomly rounded to the declared precision; bounds to the nearest."""
    if not noise.protections.magnitudes:
        return median, low, high
    step = noise.precision.step
    published = round_to_steps(median, step, noise.averages)
    return published, np.minimum(round_to_steps(low, step), published), np.maximum(round_to_steps(high, step), published)
