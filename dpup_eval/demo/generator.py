"""Synthetic demo data for Best foot forward: an evaluation file and a service-reporting file.

The data is made up but shaped like the real thing (one- and two-parent whānau with one to three
children, enrolments spread over consecutive quarters, weekly sessions, scores before and after), and
every value is valid for the contracts in `data_contracts/best_foot_forward/`. The two files use
different family references and a different row order, so they cannot be joined, as the agreement
requires. With `messy`, known problems are planted and listed in a manifest, so that checks can be
tested against an answer key (see `dpup_eval.demo.messy`).

Everything is drawn from one `numpy.random.Generator` seeded from the options, and vectorised over
whole arrays: the same options give byte-identical files, and a million evaluation rows take seconds.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import holidays
import numpy as np
import pandas as pd
import pyarrow as pa

from dpup_eval.demo import text
from dpup_eval.files import private_dir, write_text
from dpup_eval.safe_csv import write_csv

__all__ = [
    "EVALUATION_COLUMNS",
    "SERVICE_REPORTING_COLUMNS",
    "DemoFiles",
    "DemoOptions",
    "generate_demo",
    "write_demo_data",
]

EVALUATION_COLUMNS = (
    "participant_ref", "family_ref", "participant_type", "age_band", "region", "ethnic_groups",
    "enrolment_date", "enrolment_quarter", "exit_date", "programme_status", "sessions_offered",
    "sessions_attended", "confidence_pre", "confidence_post", "wellbeing_pre", "wellbeing_post",
    "goals_set", "goals_achieved", "feedback",
)  # fmt: skip
SERVICE_REPORTING_COLUMNS = (
    "family_ref", "quarter", "region", "household_type", "referral_source", "parents_enrolled",
    "children_enrolled", "sessions_offered", "sessions_attended", "status",
)  # fmt: skip

_QUARTER = re.compile(r"^(20\d{2})-Q([1-4])$")
_MIN_GROUP = 5  # the contracts' minGroupSize
_MAX_SESSIONS = 13  # weekly sessions; a quarter may hold at most 13 (service-reporting contract)

REGIONS = ("Auckland", "Waikato", "Wellington", "Canterbury")
_REGION_P = (0.40, 0.20, 0.23, 0.17)
AGE_BANDS = ("0-4", "5-9", "10-14", "15-17", "18-24", "25-34", "35-44", "45-54", "55+")
_PARENT_BAND_P = (0.10, 0.37, 0.34, 0.13, 0.06)  # over AGE_BANDS[4:]
# Children's age band given the first parent's band (rows) over AGE_BANDS[:4].
_CHILD_BAND_P = np.array(
    [
        [0.80, 0.20, 0.00, 0.00],
        [0.50, 0.38, 0.12, 0.00],
        [0.22, 0.40, 0.33, 0.05],
        [0.08, 0.30, 0.50, 0.12],
        [0.20, 0.40, 0.32, 0.08],
    ]
)
ETHNIC_GROUPS = (
    "European", "Māori", "Pacific Peoples", "Asian", "Middle Eastern/Latin American/African",
    "Other ethnicity", "Not stated",
)  # fmt: skip
_ETHNIC_P = (0.28, 0.22, 0.14, 0.06, 0.015, 0.012)  # independent chance of each stated group
_ETHNIC_ONE = (0.42, 0.31, 0.13, 0.10, 0.02, 0.01)  # the one group of someone drawn with none
REFERRALS = ("self", "school", "health", "social_service", "other")
_REFERRAL_P = (0.20, 0.25, 0.20, 0.28, 0.07)
STATUSES = ("enrolled", "completed", "withdrew", "moved")
_ENROLLED, _COMPLETED, _WITHDREW, _MOVED = range(4)


@dataclass(frozen=True)
class DemoOptions:
    """What to generate: how many whānau, over how many quarters from which one, and whether messy."""

    families: int = 300
    quarters: int = 4
    seed: int = 2026
    messy: bool = False
    first_quarter: str = "2025-Q1"

    def __post_init__(self) -> None:
        for name in ("families", "quarters", "seed"):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int | np.integer):
                raise ValueError(f"{name} must be a whole number, not {value!r}")
        if self.families < 1:
            raise ValueError(f"families must be at least 1, not {self.families}")
        if not 1 <= self.quarters <= 12:
            raise ValueError(f"quarters must be between 1 and 12, not {self.quarters}")
        if self.seed < 0:
            raise ValueError(f"seed must be zero or more, not {self.seed}")
        match = _QUARTER.match(self.first_quarter) if isinstance(self.first_quarter, str) else None
        if match is None:
            raise ValueError(f"first_quarter must look like 2025-Q1, not {self.first_quarter!r}")
        if not 2024 <= int(match.group(1)) <= 2090:
            raise ValueError(f"first_quarter must be between 2024-Q1 and 2090-Q4, not {self.first_quarter}")
        if self.messy and self.families < 20:
            raise ValueError("messy data needs at least 20 families, so each planted problem has its own row")


@dataclass(frozen=True)
class DemoFiles:
    """The files `write_demo_data` wrote; `manifest` (the planted problems) only with messy data."""

    evaluation: Path
    service_reporting: Path
    manifest: Path | None


def generate_demo(options: DemoOptions) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Clean evaluation and service-reporting frames (before any messiness).

    Integers are nullable `Int64`, dates `datetime64[s]` (NaT when blank), text is pandas strings.
    """
    rng = np.random.default_rng(options.seed)
    starts = _quarter_starts(options.first_quarter, options.quarters)
    n = options.families
    fam = _families(rng, n, starts)
    people = _people(rng, fam)
    ids = text.unique_ids(rng, 2 * n + people["family"].size)
    fam["service_id"] = ids[n : 2 * n]
    fam["eval_ref"], fam["service_ref"] = text.hex_refs("F-", ids[:n]), text.hex_refs("S-", ids[n : 2 * n])
    people["ref"] = text.hex_refs("P-", ids[2 * n :])
    return _evaluation_frame(rng, fam, people, starts), _service_frame(fam, people, starts)


def write_demo_data(
    outdir: Path,
    options: DemoOptions = DemoOptions(),  # frozen, so one shared default is safe
    progress: Callable[[str], None] | None = None,
) -> DemoFiles:
    """Writes OUTDIR/evaluation.csv, OUTDIR/service_reporting.csv and, with messy, OUTDIR/manifest.json.

    Creates `outdir` (owner-only). Files are UTF-8 without a BOM, with "\\n" line endings and blanks as empty
    fields, written atomically and owner-only by `dpup_eval.safe_csv`.
    """
    say = progress or (lambda message: None)
    outdir = Path(outdir)
    private_dir(outdir)
    say(
        f"generating {options.families:,} whānau over {options.quarters} quarters from {options.first_quarter}"
    )
    evaluation, service = generate_demo(options)
    files = DemoFiles(outdir / "evaluation.csv", outdir / "service_reporting.csv", None)
    raw: dict[tuple[int, str], str] = {}
    problems: list[dict[str, object]] = []
    if options.messy:
        from dpup_eval.demo import messy as _demo_messy

        say("planting known problems")
        messy = _demo_messy.plant(np.random.default_rng([options.seed, 1]), evaluation, service)
        evaluation, service, raw, problems = messy.evaluation, messy.service, messy.raw_fields, messy.problems
        files = DemoFiles(files.evaluation, files.service_reporting, outdir / "manifest.json")
    say(f"writing {files.evaluation.name} ({len(evaluation):,} rows)")
    write_csv(files.evaluation, evaluation, verbatim=raw)
    say(f"writing {files.service_reporting.name} ({len(service):,} rows)")
    write_csv(files.service_reporting, service)
    if files.manifest is not None:
        say(f"writing {files.manifest.name} ({len(problems)} planted problems)")
        names = {"evaluation": files.evaluation.name, "service_reporting": files.service_reporting.name}
        manifest = {"seed": options.seed, "files": names, "problems": problems}
        write_text(files.manifest, json.dumps(manifest, ensure_ascii=False, indent=2) + "\n")
    return files


def _quarter_starts(first_quarter: str, quarters: int) -> np.ndarray:
    """First day of each quarter, plus the day after the last one: `quarters + 1` dates."""
    match = _QUARTER.match(first_quarter)
    if match is None:
        raise ValueError(f"first_quarter must look like 2025-Q1, not {first_quarter!r}")
    year, q = (int(part) for part in match.groups())
    first_month = np.datetime64(f"{year}-01", "M") + 3 * (q - 1)
    return (first_month + 3 * np.arange(quarters + 1)).astype("datetime64[D]")


def _choice(rng: np.random.Generator, p: np.ndarray | Sequence[float], n: int | None = None) -> np.ndarray:
    """Category codes drawn from `p` (one row of probabilities, or one row per draw)."""
    probs = np.asarray(p, dtype=float)
    cumulative: np.ndarray = np.cumsum(probs, axis=-1)
    if probs.ndim == 1:
        return np.searchsorted(cumulative / cumulative[-1], rng.random(n), side="right")
    u = rng.random((probs.shape[0], 1)) * cumulative[:, -1:]
    return np.minimum((u >= cumulative).sum(axis=1), probs.shape[1] - 1)


def _families(rng: np.random.Generator, n: int, starts: np.ndarray) -> dict[str, np.ndarray]:
    """One entry per whānau: who is in it, when it started, its weekly sessions and how it ended."""
    end = starts[-1] - 1  # the data is extracted on the last day of the last quarter
    days = np.arange(starts[0], starts[-1])
    weekday = (days.astype(np.int64) + 3) % 7  # 1970-01-01 was a Thursday; Monday is 0
    month_day = (days - days.astype("datetime64[M]")).astype(np.int64) + 1
    month = days.astype("datetime64[M]").astype(np.int64) % 12 + 1
    summer = ((month == 12) & (month_day >= 20)) | ((month == 1) & (month_day <= 12))
    years = range(int(str(starts[0])[:4]), int(str(starts[-1])[:4]) + 1)
    public = np.array(sorted(holidays.country_holidays("NZ", years=years)), dtype="datetime64[D]")
    # Groups start Monday to Thursday, outside the summer break and public holidays.
    weekdays = days[(weekday < 4) & ~summer & ~np.isin(days, public)]
    enrol = np.sort(weekdays[rng.integers(0, weekdays.size, n)])
    planned = 10 + _choice(rng, (0.2, 0.3, 0.3, 0.2), n)  # 10 to 13 weekly sessions
    has_break = rng.random(n) < 0.35  # a school-holiday week off partway through
    break_at = rng.integers(3, planned - 2)
    week = np.arange(_MAX_SESSIONS)
    sessions = enrol[:, None] + 7 * (week + (has_break[:, None] & (week >= break_at[:, None])))
    fate = 1 + _choice(rng, (0.72, 0.20, 0.08), n)  # completed / withdrew / moved, if it ended
    left_after = np.where(fate == _COMPLETED, planned, rng.integers(1, planned))  # sessions before leaving
    last = np.take_along_axis(sessions, (left_after - 1)[:, None], axis=1)[:, 0]
    exit_ = last + np.where(fate == _COMPLETED, 0, rng.integers(0, 7, n))
    ended = exit_ <= end
    status = np.where(ended, fate, _ENROLLED)
    scheduled = (sessions <= end) & (week < planned[:, None])
    offered = np.where(ended, left_after, scheduled.sum(axis=1))
    rate_a = np.select([status == _COMPLETED, status == _ENROLLED], [7.0, 6.0], 3.0)
    rate_b = np.select([status == _COMPLETED, status == _ENROLLED], [2.0, 2.2], 3.0)
    return {
        "region": _choice(rng, _REGION_P, n),
        "parents": 1 + (rng.random(n) < 0.45),
        "children": 1 + _choice(rng, (0.30, 0.40, 0.30), n),
        "referral": _choice(rng, _REFERRAL_P, n),
        "enrol": enrol,
        "planned": planned,
        "sessions": sessions,
        "offered_mask": week < offered[:, None],
        "offered": offered,
        "status": status,
        "exit": np.where(ended, exit_, np.datetime64("NaT")),
        "progress": np.where(status == _COMPLETED, 1.0, offered / planned),
        "rate": rng.beta(rate_a, rate_b),
        "quarter": np.searchsorted(starts, enrol, side="right") - 1,
        "exit_quarter": np.where(ended, np.searchsorted(starts, exit_, side="right") - 1, starts.size - 2),
    }


def _people(rng: np.random.Generator, fam: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    """One entry per person, parents first within each whānau, whānau in enrolment order."""
    n = fam["parents"].size
    size = fam["parents"] + fam["children"]
    family = np.repeat(np.arange(n), size)
    first = np.cumsum(size) - size
    position = np.arange(family.size) - first[family]
    parent = position < fam["parents"][family]
    # Ages: parents mostly 25-44, a second parent near the first; children follow the first parent.
    band1 = 4 + _choice(rng, _PARENT_BAND_P, n)
    band2 = np.clip(band1 + _choice(rng, (0.2, 0.6, 0.2), n) - 1, 4, 8)
    child_band = _choice(rng, _CHILD_BAND_P[band1[family] - 4])
    band = np.where(position == 0, band1[family], np.where(parent, band2[family], child_band))
    band = _merge_small_age_groups(parent, band, fam["region"][family])
    # Attendance, session by session: whānau come together (or not); most members come when they do.
    came = rng.random((n, _MAX_SESSIONS), dtype=np.float32) < fam["rate"][:, None].astype(np.float32)
    came &= fam["offered_mask"]
    member = np.clip(rng.normal(0.92, 0.06, family.size), 0.5, 1.0).astype(np.float32)
    attended = (rng.random((family.size, _MAX_SESSIONS), dtype=np.float32) < member[:, None]) & came[family]
    return {
        "family": family,
        "parent": parent,
        "band": band,
        "ethnic": _ethnicity(rng, fam, family, position, parent),
        "attended": attended.sum(axis=1),
        "family_attended": np.logical_or.reduceat(attended, first, axis=0),
    }


def _merge_small_age_groups(parent: np.ndarray, band: np.ndarray, region: np.ndarray) -> np.ndarray:
    """Fold an age band with fewer than 5 people (for a type and region) into its nearest neighbour.

    This is what a provider does before sending data under a minimum group size; it keeps the rarer
    bands (15-17, 55+) wherever there are enough people in them.
    """
    group = (parent * len(REGIONS) + region) * len(AGE_BANDS) + band
    counts = np.bincount(group, minlength=2 * len(REGIONS) * len(AGE_BANDS)).reshape(-1, len(AGE_BANDS))
    mapping = np.tile(np.arange(len(AGE_BANDS)), (counts.shape[0], 1))
    for row, count in zip(mapping, counts, strict=True):
        while count.sum() >= _MIN_GROUP:
            small = [b for b in range(len(AGE_BANDS)) if 0 < count[b] < _MIN_GROUP]
            if not small:
                break
            b = min(small, key=lambda x: (count[x], x))
            others = [x for x in range(len(AGE_BANDS)) if count[x] > 0 and x != b]
            target = min(others, key=lambda x: (abs(x - b), -count[x], x))
            count[target] += count[b]
            count[b] = 0
            row[row == b] = target
    return mapping[group // len(AGE_BANDS), band]


def _ethnicity(
    rng: np.random.Generator,
    fam: dict[str, np.ndarray],
    family: np.ndarray,
    position: np.ndarray,
    parent: np.ndarray,
) -> np.ndarray:
    """Stats NZ level 1 groups as bit masks: each parent their own, often shared; children both parents'."""
    n = fam["parents"].size
    first = _ethnic_mask(rng, n)
    second = np.where(rng.random(n) < 0.55, first, _ethnic_mask(rng, n))
    stated = ~np.int64(64)
    both = np.where(fam["parents"] == 2, (first | second) & stated, first & stated)
    only_first = rng.random(family.size) < 0.1  # a child recorded with one parent's groups only
    child = np.where(only_first, first[family] & stated, both[family])
    child = np.where(child == 0, 64, child)
    return np.where(position == 0, first[family], np.where(parent, second[family], child))


def _ethnic_mask(rng: np.random.Generator, n: int) -> np.ndarray:
    mask = (rng.random((n, len(_ETHNIC_P))) < _ETHNIC_P) @ (1 << np.arange(len(_ETHNIC_P)))
    mask = np.where(mask == 0, 1 << _choice(rng, _ETHNIC_ONE, n), mask)
    return np.where(rng.random(n) < 0.03, 64, mask)  # "Not stated"


_ETHNIC_TEXT = [";".join(g for i, g in enumerate(ETHNIC_GROUPS) if m >> i & 1) for m in range(128)]


def _evaluation_frame(
    rng: np.random.Generator, fam: dict[str, np.ndarray], people: dict[str, np.ndarray], starts: np.ndarray
) -> pd.DataFrame:
    f, parent = people["family"], people["parent"]
    m = f.size
    status = fam["status"][f]
    ended = status != _ENROLLED
    offered = fam["offered"][f]
    attendance = people["attended"] / np.maximum(offered, 1)
    after = np.select([status == _COMPLETED, status == _WITHDREW, status == _MOVED], [0.93, 0.35, 0.1], 0.0)
    has_post = ended & (rng.random(m) < after)
    # Parents: confidence (10-50) and their own goals.
    conf = rng.normal(30, 6, m)
    conf_post = conf + rng.normal(1.2 + 2.8 * attendance, 4.5)
    goals = 1 + _choice(rng, (0.10, 0.25, 0.30, 0.22, 0.13), m)
    chance = np.clip(0.25 + 0.55 * attendance, 0, 1) * np.sqrt(fam["progress"][f])
    achieved = rng.binomial(goals, chance)
    has_goals = parent & (rng.random(m) >= 0.03)
    # Children: wellbeing (0-40, higher is better); some get worse.
    well = rng.normal(22, 6, m)
    well_post = well + rng.normal(0.8 + 1.6 * attendance, 5.0)
    has_pre = rng.random(m) >= 0.02
    # Stories: about half the parents, some children old enough to say what they liked.
    kind = np.select(
        [~parent, status == _COMPLETED, status == _ENROLLED, status == _WITHDREW],
        [text.CHILD, text.FINISHED, text.ENROLLED, text.LEFT],
        text.MOVED,
    )
    says = np.select([status == _COMPLETED, status == _ENROLLED], [0.6, 0.4], 0.42)
    says = np.where(parent, says, np.where(people["band"] >= 1, np.where(ended, 0.3, 0.15), 0.0))
    has_story = rng.random(m) < says
    stories = text.compose_feedback(rng, kind, has_story)
    quarters = [_quarter_label(d) for d in starts[:-1]]
    return pd.DataFrame(
        {
            "participant_ref": _str(people["ref"]),
            "family_ref": _str(fam["eval_ref"].take(f)),
            "participant_type": _labels(("parent", "child"), ~parent),
            "age_band": _labels(AGE_BANDS, people["band"]),
            "region": _labels(REGIONS, fam["region"][f]),
            "ethnic_groups": _labels(_ETHNIC_TEXT, people["ethnic"]),
            "enrolment_date": fam["enrol"][f].astype("datetime64[s]"),
            "enrolment_quarter": _labels(quarters, fam["quarter"][f]),
            "exit_date": fam["exit"][f].astype("datetime64[s]"),
            "programme_status": _labels(STATUSES, status),
            "sessions_offered": _ints(offered),
            "sessions_attended": _ints(people["attended"]),
            "confidence_pre": _ints(_score(conf, 10, 50), parent & has_pre),
            "confidence_post": _ints(_score(conf_post, 10, 50), parent & has_post),
            "wellbeing_pre": _ints(_score(well, 0, 40), ~parent & has_pre),
            "wellbeing_post": _ints(_score(well_post, 0, 40), ~parent & has_post),
            "goals_set": _ints(goals, has_goals),
            "goals_achieved": _ints(achieved, has_goals),
            "feedback": _str(stories),
        }
    )


def _service_frame(
    fam: dict[str, np.ndarray], people: dict[str, np.ndarray], starts: np.ndarray
) -> pd.DataFrame:
    """One row per whānau per quarter it took part in, keyed by a second, unrelated reference."""
    n = fam["parents"].size
    span = fam["exit_quarter"] - fam["quarter"] + 1
    f = np.repeat(np.arange(n), span)
    quarter = fam["quarter"][f] + np.arange(f.size) - np.repeat(np.cumsum(span) - span, span)
    session_quarter = np.searchsorted(starts, fam["sessions"], side="right") - 1
    in_quarter = session_quarter[f] == quarter[:, None]
    offered = (fam["offered_mask"][f] & in_quarter).sum(axis=1)
    attended = (people["family_attended"][f] & in_quarter).sum(axis=1)
    status = fam["status"][f]
    finished = (status != _ENROLLED) & (quarter == fam["exit_quarter"][f])
    row_status = np.where(finished, np.where(status == _COMPLETED, 1, 2), 0)
    order = np.lexsort((fam["service_id"][f], quarter))  # not the evaluation file's order
    quarters = [_quarter_label(d) for d in starts[:-1]]
    f, quarter = f[order], quarter[order]
    return pd.DataFrame(
        {
            "family_ref": _str(fam["service_ref"].take(f)),
            "quarter": _labels(quarters, quarter),
            "region": _labels(REGIONS, fam["region"][f]),
            "household_type": _labels(("one_parent", "two_parents"), fam["parents"][f] - 1),
            "referral_source": _labels(REFERRALS, fam["referral"][f]),
            "parents_enrolled": _ints(fam["parents"][f]),
            "children_enrolled": _ints(fam["children"][f]),
            "sessions_offered": _ints(offered[order]),
            "sessions_attended": _ints(attended[order]),
            "status": _labels(("active", "completed", "withdrew"), row_status[order]),
        }
    )


def _quarter_label(day: np.datetime64) -> str:
    month = day.astype("datetime64[M]").astype(np.int64)
    return f"{month // 12 + 1970}-Q{month % 12 // 3 + 1}"


def _score(latent: np.ndarray, low: int, high: int) -> np.ndarray:
    return np.clip(np.rint(latent), low, high).astype(np.int64)


def _str(values: pa.Array) -> pd.api.extensions.ExtensionArray:
    """An Arrow string array as pandas' `str` dtype, without copying."""
    return pd.array(values, dtype="str")


def _labels(labels: tuple[str, ...] | list[str], codes: np.ndarray) -> pd.api.extensions.ExtensionArray:
    """Text column from category codes, built by Arrow (far faster than indexing numpy str arrays)."""
    return _str(pa.array(labels, pa.large_string()).take(pa.array(np.asarray(codes, dtype=np.int64))))


def _ints(values: np.ndarray, present: np.ndarray | None = None) -> pd.arrays.IntegerArray:
    values = np.asarray(values, dtype=np.int64)
    mask = np.zeros(values.size, dtype=bool) if present is None else ~present
    return pd.arrays.IntegerArray(np.where(mask, 0, values), mask)
