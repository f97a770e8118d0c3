"""A new programme folder from one data file: draft contract, draft indicators, settings and a README.

Why: a programme should be ready to talk about in minutes, not after a week of YAML. The folder this
writes is deliberately *not* usable yet: the contract is a draft (`status: draft`, `TODO` texts,
columns that look identifying marked `suspected_identifier`), the indicators have `TODO` names, and
the settings ask whether children take part. Every command refuses the folder, listing each place
still to settle, until the people the data is about and the agency have settled them; the README
written beside them says what to settle and in what order.

Nothing from the file's rows is written: the contract holds types, ranges, agreed categories (only
for columns with few values) and the shape of references; the README holds column names and counts.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from dpup_eval.agreement.programme import INDICATORS_FILE, ROLE_GROUPS, SETTINGS_FILE
from dpup_eval.errors import DpupEvalError
from dpup_eval.intake.drafting import MAX_CATEGORIES, DraftColumn, before_after_pairs, draft_document

__all__ = ["DEFAULT_ROLES", "DraftedProgramme", "draft_programme"]

#: The workshop roles a new programme starts with (plain names people can change).
DEFAULT_ROLES = (
    {"id": "family_member", "name": "Family or whānau member", "group": "family"},
    {"id": "provider_staff", "name": "Provider staff", "group": "provider"},
    {"id": "agency_staff", "name": "Agency staff", "group": "agency"},
    {"id": "other", "name": "Someone else", "group": "other"},
)
assert {r["group"] for r in DEFAULT_ROLES} == set(ROLE_GROUPS)


@dataclass(frozen=True)
class DraftedProgramme:
    """What `draft_programme` wrote, and what it found, for the command to report."""

    folder: Path
    contract: Path
    indicators: Path
    settings: Path
    readme: Path
    rows: int
    columns: list[DraftColumn]
    indicator_count: int


def _groupings(columns: list[DraftColumn], counts: dict[str, int], measured: set[str]) -> list[str]:
    """Columns a finding could sensibly be split by: few categories, or a whole number with few values
    (a trial arm coded 0/1), never what the measures themselves count."""
    return [
        c.name for c in columns
        if c.role not in ("suspected_identifier", "pseudonymous_key", "free_text", "period", "programme_date")
        and c.name not in measured
        and (c.categories or (c.logical_type == "integer" and 1 < counts.get(c.name, 0) <= MAX_CATEGORIES))
    ]


def _indicators(columns: list[DraftColumn], counts: dict[str, int], period: str | None) -> list[dict[str, Any]]:
    numeric = [c.name for c in columns if c.logical_type in ("integer", "number")]
    pairs = before_after_pairs(numeric)
    flags = [c for c in columns if c.logical_type == "boolean" and c.role != "suspected_identifier"]
    measured = {name for _, before, after in pairs for name in (before, after)} | {c.name for c in flags}
    groupings = _groupings(columns, counts, measured) + ([period] if period else [])
    drafted: list[dict[str, Any]] = []
    for stem, before, after in pairs:
        words = stem.replace("_", " ")
        drafted.append({
            "id": f"{stem}_improved",
            "name": f"TODO: a plain name, e.g. {words.capitalize()} went up",
            "what_it_tells_us": f"TODO: what a change in {words} tells the programme, in one sentence",
            "people": "TODO: who this is about, e.g. people who finished",
            "kind": "improved",
            "target": None,
            "direction": "higher",
            "groupings": [g for g in groupings if g not in (before, after)],
            "definitions": [{
                "id": "up_by_threshold",
                "label": f"TODO: e.g. {words.capitalize()} up by 1 or more",
                "phrase": f"TODO: e.g. had more {words} at the end",
                "proposed_by": "TODO: who proposed this definition (families, provider, agency)",
                "pre": before,
                "post": after,
                "threshold": 1,
            }],
        })
    for c in flags:
        words = c.name.replace("_", " ")
        drafted.append({
            "id": c.name,
            "name": f"TODO: a plain name, e.g. {words.capitalize()}",
            "what_it_tells_us": f"TODO: what '{words}' tells the programme, in one sentence",
            "people": "TODO: who this is about",
            "kind": "proportion",
            "target": None,
            "direction": "higher",
            "groupings": [g for g in groupings if g != c.name],
            "definitions": [{
                "id": "is_true",
                "label": f"TODO: e.g. {words.capitalize()}: yes",
                "phrase": f"TODO: e.g. were {words}",
                "proposed_by": "TODO: who proposed this definition (families, provider, agency)",
                "success": [{"field": c.name, "op": "eq", "value": True}],
            }],
        })
    return drafted


def _readme(name: str, data: Path, purpose: str, drafted: DraftedProgramme, period: DraftColumn | None,
            outcome_count: int) -> str:
    flagged = [c.name for c in drafted.columns if c.role == "suspected_identifier"]
    unsettled = [c.name for c in drafted.columns if c.role == "TODO"]
    lines = [
        f"# {name}: a new programme, still to be agreed",
        "",
        f"Made by `dpup-eval init` from `{data.name}` ({drafted.rows} rows, {len(drafted.columns)} columns) for the "
        f"purpose `{purpose}`. Nothing here is agreed yet, and every command refuses this folder, listing each "
        "place still to settle, until it is. Settle it together: the people the data is about, the provider and "
        "the agency.",
        "",
        "## What to settle",
        "",
        f"1. **`{drafted.contract.name}`, the agreement.** Replace every `TODO` with plain words: why each field is "
        "needed and what it is (for adults, and for children if they take part), what the data will not be "
        "used for, who will not see it, how long it is kept. When everyone has agreed, set `status: active`.",
    ]
    if flagged:
        lines.append(f"   - These columns look identifying and must not be shared: {', '.join(flagged)}. Remove them "
                     "from the contract *and* from the data file, or, if they cannot identify anyone, give them a role.")
    if unsettled:
        lines.append(f"   - Give each of these columns a role: {', '.join(unsettled)}. `dpup-eval contract roles` says "
                     "what each role means and allows (quasi-identifiers are checked against the minimum group size).")
    lines += [
        f"2. **`{SETTINGS_FILE}`, the workshop settings.** Say whether children take part "
        "(`children_take_part: true` makes a description for children required for every field, and gives notices "
        "and access packs a child version; with `false` the `childDescription` lines can go). Check the participant "
        "roles' plain names. "
        + (f"Findings are shown by {period.grain}, from `{period.name}`." if period else
           "No period column was found, so findings are not split in time (`periods: grain: none`)."),
        f"3. **`{drafted.indicators.name}`, the success measures.** "
        + (f"{outcome_count} measure(s) were drafted from the columns that look like outcomes; name them plainly, "
           "say who proposed each definition, and add the measures the programme really cares about."
           if outcome_count else "No outcome columns were recognised: write the measures the programme cares about.")
        + " See the README of dpup_eval, 'Success measures and findings'.",
        "",
        "## Then",
        "",
        "```sh",
        "dpup-eval contract validate .          # every problem left, each with its file and place",
        f"dpup-eval check {data} --programme . --purpose {purpose}",
        f"dpup-eval evaluate {data} --programme . --purpose {purpose}",
        f"dpup-eval workshop --programme . --data {data}",
        "dpup-eval notice --programme . --audience adult",
        "```",
        "",
    ]
    return "\n".join(lines)


def draft_programme(folder: str | Path, data: str | Path, *, purpose: str = "evaluation", recipient: str | None = None,
                    name: str | None = None, sheet: str | None = None) -> DraftedProgramme:
    """Profile ``data`` and write a new programme folder (which must not exist yet, or be empty)."""
    folder, data = Path(folder), Path(data)
    if folder.exists() and (not folder.is_dir() or any(folder.iterdir())):
        raise DpupEvalError(f"{folder} already exists and is not an empty folder; choose a new folder for the programme")
    doc, columns, raw = draft_document(data, purpose, recipient or "TODO: the part of the agency that receives it",
                                       sheet=sheet)
    name = name or f"TODO: the programme's name (profiled from {data.name})"
    counts = {c: int(raw.frame[c].nunique()) for c in raw.frame.columns}
    period = next((c for c in columns if c.role == "period"), None)
    if period is None:
        period = next((c for c in columns if c.role == "programme_date"), None)
        period = DraftColumn(period.name, period.role, period.logical_type, (), "quarter") if period else None
    drafted_indicators = _indicators(columns, counts, period.name if period else None)
    settings = {
        "name": name,
        "language": "en-NZ",
        "children_take_part": "TODO: true or false",
        "workshop": {"purpose": purpose},
        "roles": list(DEFAULT_ROLES),
        "periods": {"grain": period.grain, "field": period.name} if period else {"grain": "none"},
    }
    folder.mkdir(parents=True, exist_ok=True)
    contract = folder / f"{purpose}.odcs.yaml"
    indicators = folder / INDICATORS_FILE
    settings_path = folder / SETTINGS_FILE
    readme = folder / "README.md"
    contract.write_text(
        f"# Draft agreement profiled from {data.name} for the purpose '{purpose}' (see README.md).\n"
        + yaml.safe_dump(doc, sort_keys=False, allow_unicode=True, width=110), encoding="utf-8")
    indicators.write_text(
        "# Draft success measures (see README.md). Filters are data (field, op, value), never code.\n"
        + yaml.safe_dump({"programme": name, "purpose": purpose, "indicators": drafted_indicators},
                         sort_keys=False, allow_unicode=True, width=110), encoding="utf-8")
    settings_path.write_text(
        "# Workshop settings (see README.md): roles are how people take part (group: family, provider,\n"
        "# agency or other); periods are month, quarter, year or none.\n"
        + yaml.safe_dump(settings, sort_keys=False, allow_unicode=True, width=110), encoding="utf-8")
    result = DraftedProgramme(folder, contract, indicators, settings_path, readme, raw.rows_read, columns,
                              len(drafted_indicators))
    outcomes = len(drafted_indicators)
    readme.write_text(_readme(name if not name.startswith("TODO") else "This programme", data, purpose, result,
                              period, outcomes), encoding="utf-8")
    return result
