"""Profile a data file into a draft contract for a new programme to edit.

The draft is ODCS YAML with the types, categories and ranges found, `TODO` texts where people
must write the plain descriptions, and every column that looks identifying marked with the role
`suspected_identifier`, which no contract accepts: the draft cannot be used until someone
removes those columns or explains them (and `status: draft` and every `TODO` are refused too).
The draft never copies values that look identifying; categories are listed only for columns with
few distinct values, and a reference column is described by its shape (`^C[0-9]{5}$`), never by
its values.

Roles are guessed only where the data leaves little doubt: a date is a `programme_date`, a column of
periods (`2025-03`, `2025-Q1`) is a `period`, values of one fixed shape with digits in them are a
`pseudonymous_key`, long text is `free_text`, and the two halves of a before/after pair are
`outcome`s. Everything else says `TODO` and must be chosen by people (`dpup-eval contract roles`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import yaml

from dpup_eval.intake.identifiers import scan_text
from dpup_eval.intake.reading import RawTable, read_table

__all__ = ["DraftColumn", "before_after_pairs", "draft_contract", "draft_document", "shape_pattern"]

MAX_CATEGORIES = 12
FREE_TEXT_LENGTH = 40
IDENTIFYING_NAMES = re.compile(
    r"(^|_)(name|surname|first_?name|last_?name|phone|mobile|email|e_?mail|address|street|dob|birth|"
    r"nhi|ird|passport|licen[cs]e)(_|$)",
    re.IGNORECASE,
)
#: Periods written as text, with the grain each means.
PERIOD_SHAPES = (
    (re.compile(r"^\d{4}-(0[1-9]|1[0-2])$"), "month", "^20[0-9]{2}-(0[1-9]|1[0-2])$"),
    (re.compile(r"^\d{4}-Q[1-4]$"), "quarter", "^20[0-9]{2}-Q[1-4]$"),
)
#: Names of the two halves of a before/after pair: (before, after) word pairs.
PAIR_WORDS = (("pre", "post"), ("before", "after"), ("start", "end"), ("baseline", "followup"))
_RUN = re.compile(r"[A-Za-z]+|[0-9]+|[^A-Za-z0-9]+")
_ALNUM = re.compile(r"[A-Za-z0-9]+|[^A-Za-z0-9]+")


def _run_class(texts: list[str]) -> str:
    """The character class of one run across values: a literal when they all agree."""
    if len(set(texts)) == 1:
        return re.escape(texts[0])
    chars = set("".join(texts))
    for allowed, cls in (("0123456789", "[0-9]"), ("0123456789ABCDEF", "[0-9A-F]"),
                         ("ABCDEFGHIJKLMNOPQRSTUVWXYZ", "[A-Z]"), ("abcdefghijklmnopqrstuvwxyz", "[a-z]"),
                         ("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ", "[0-9A-Z]")):
        if chars <= set(allowed):
            return cls
    return "[0-9A-Za-z]"


def shape_pattern(values: list[str]) -> str | None:
    """A regular expression every value fits, when they share one fixed shape (``C00012`` -> ``^C[0-9]{5}$``).

    Values are split into runs (letters, digits, other characters); when every value has the same
    runs of the same lengths, each run becomes a literal (if all agree) or a character class. Hex
    references whose letters and digits interleave (``P-1A2B3C4D``) are split more coarsely
    (alphanumerics, other), giving ``^P\\-[0-9A-F]{8}$``. None when the values have no common shape.
    """
    if not values:
        return None
    for splitter in (_RUN, _ALNUM):
        runs = [splitter.findall(v) for v in values]
        lengths = {tuple(len(r) for r in value_runs) for value_runs in runs}
        kinds = {tuple(r[0].isalnum() for r in value_runs) for value_runs in runs}
        if len(lengths) == 1 and len(kinds) == 1:
            length = next(iter(lengths))
            parts = []
            for i, size in enumerate(length):
                cls = _run_class([value_runs[i] for value_runs in runs])
                parts.append(cls if not cls.startswith("[") else f"{cls}{{{size}}}" if size > 1 else cls)
            return "^" + "".join(parts) + "$"
    return None


@dataclass(frozen=True)
class DraftColumn:
    """What profiling found about one column (besides its ODCS property): its guessed role and shape."""

    name: str
    role: str
    logical_type: str
    categories: tuple[str, ...] = ()
    grain: str | None = None  # for a period column: month or quarter


def _period(text: pd.Series) -> tuple[str, str] | None:
    for shape, grain, pattern in PERIOD_SHAPES:
        if len(text) and text.str.match(shape.pattern).all():
            return grain, pattern
    return None


def _profile_column(name: str, series: pd.Series) -> tuple[dict[str, Any], DraftColumn]:
    present = series.dropna()
    text = present.astype(str)
    prop: dict[str, Any] = {"name": name, "businessName": name.replace("_", " ").capitalize()}
    hits = [kind for kind, mask in scan_text(pd.Series(text.unique())).items() if np.asarray(mask).any()]
    suspicious = bool(IDENTIFYING_NAMES.search(name)) or bool(hits)
    numbers = pd.to_numeric(text, errors="coerce")
    dates = pd.to_datetime(text, format="%Y-%m-%d", errors="coerce")
    role, grain, categories = "TODO", None, ()
    if len(text) and text.str.lower().isin(("true", "false")).all():
        prop["logicalType"] = "boolean"
    elif len(text) and numbers.notna().all() and (numbers == np.floor(numbers)).all():
        prop["logicalType"] = "integer"
        prop["logicalTypeOptions"] = {"minimum": int(numbers.min()), "maximum": int(numbers.max())}
    elif len(text) and numbers.notna().all():
        prop["logicalType"] = "number"
        prop["logicalTypeOptions"] = {"minimum": float(numbers.min()), "maximum": float(numbers.max())}
    elif len(text) and dates.notna().all():
        prop["logicalType"] = "date"
        prop["logicalTypeOptions"] = {
            "format": "yyyy-MM-dd",
            "minimum": dates.min().date().isoformat(),
            "maximum": dates.max().date().isoformat(),
        }
        role = "programme_date"
    else:
        prop["logicalType"] = "string"
        distinct = sorted(text.unique())
        period = _period(text)
        shape = shape_pattern(distinct) if len(distinct) > MAX_CATEGORIES else None
        if period is not None:
            grain, pattern = period
            prop["logicalTypeOptions"] = {"pattern": pattern}
            role = "period"
        elif shape is not None and re.search(r"\d|\[0-9", shape):
            prop["logicalTypeOptions"] = {"pattern": shape}
            role = "pseudonymous_key"
        elif not suspicious and 0 < len(distinct) <= MAX_CATEGORIES and len(distinct) <= max(1, len(text) // 5):
            prop["enum"] = [{"value": v} for v in distinct]
            categories = tuple(distinct)
        elif len(text) and text.str.len().mean() > FREE_TEXT_LENGTH:
            role = "free_text"
            prop["logicalTypeOptions"] = {"maxLength": int(text.str.len().max())}
    prop["required"] = bool(series.notna().all()) and len(series) > 0
    if role == "pseudonymous_key" and text.is_unique:
        prop["unique"] = True
    why = "TODO: why this field is needed for the purpose"
    if suspicious:
        role = "suspected_identifier"
        kinds = ", ".join(hits) if hits else "a name, contact detail or official number (from its name)"
        why = f"REMOVE before agreeing: this column seems to hold {kinds}; identifying data must not be shared"
        prop.pop("enum", None)
        categories = ()
    prop["customProperties"] = [
        {"property": "role", "value": role},
        {"property": "why", "value": why},
        {"property": "adultDescription", "value": "TODO: what this is, in plain words for adults"},
        {"property": "childDescription", "value": "TODO: what this is, in plain words for children"},
    ]
    return prop, DraftColumn(name, role, prop["logicalType"], categories, grain)


def before_after_pairs(names: list[str]) -> list[tuple[str, str, str]]:
    """Columns measured twice, as (what, before, after): ``score_pre``/``score_post`` and the like."""
    pairs = []
    for before_word, after_word in PAIR_WORDS:
        for name in names:
            for before, after in (
                (f"_{before_word}", f"_{after_word}"),
                (f"{before_word}_", f"{after_word}_"),
            ):
                if name.endswith(before) and before.startswith("_"):
                    stem = name[: -len(before)]
                    other = stem + after
                elif name.startswith(before) and before.endswith("_"):
                    stem = name[len(before):]
                    other = after + stem
                else:
                    continue
                if other in names:
                    pairs.append((stem, name, other))
    return pairs


def draft_document(
    path: str | Path, purpose: str, recipient: str, sheet: str | None = None
) -> tuple[dict[str, Any], list[DraftColumn], RawTable]:
    """The draft contract for `path` as an ODCS mapping, what profiling found per column, and the table."""
    if not re.match(r"^[a-z][a-z0-9_]*$", purpose):
        raise ValueError(f"purpose '{purpose}' must be lower case letters, digits and _ (e.g. evaluation)")
    raw = read_table(path, sheet=sheet)
    name = Path(path).stem
    profiled = [_profile_column(col, raw.frame[col]) for col in raw.frame.columns]
    props = [prop for prop, _ in profiled]
    columns = [column for _, column in profiled]
    numeric = [c.name for c in columns if c.logical_type in ("integer", "number") and c.role == "TODO"]
    for _, before, after in before_after_pairs(numeric):
        for prop, column in zip(props, columns, strict=True):
            if column.name in (before, after):
                prop["customProperties"][0]["value"] = "outcome"
    columns = [DraftColumn(c.name, str(p["customProperties"][0]["value"]), c.logical_type, c.categories, c.grain)
               for p, c in zip(props, columns, strict=True)]
    doc = {
        "apiVersion": "v3.2.0",
        "kind": "DataContract",
        "id": re.sub(r"[^a-z0-9-]+", "-", f"{name}-{purpose}".lower()).strip("-"),
        "name": f"{name} - {purpose.replace('_', ' ')} (draft)",
        "version": "0.1.0",
        "status": "draft",
        "description": {"purpose": "TODO: what the data is for, in one or two plain sentences"},
        "customProperties": [
            {"property": "purpose", "value": purpose},
            {"property": "purposeStatement", "value": "TODO: why the information is needed, for families"},
            {"property": "recipient", "value": recipient},
            {"property": "schedule", "value": "TODO: e.g. quarterly"},
            {"property": "notUsedFor", "value": ["TODO: what the data will not be used for"]},
            {"property": "notSeenBy", "value": ["TODO: who will not see it"]},
            {"property": "retention", "value": "TODO: how long it is kept, then deleted"},
            {"property": "familyChoices", "value": "TODO: what choices families have about it"},
            {"property": "legalBasis", "value": "TODO: the law that applies (e.g. the Privacy Act 2020)"},
            {"property": "howToAsk", "value": "TODO: how to ask to see it or have it corrected"},
            {"property": "minGroupSize", "value": 5},
        ],
        "schema": [
            {
                "name": re.sub(r"[^A-Za-z0-9_]+", "_", name),
                "physicalType": "file",
                "description": f"Profiled from {Path(path).name}: {raw.rows_read} rows.",
                "properties": props,
            }
        ],
    }
    return doc, columns, raw


def draft_contract(path: str | Path, purpose: str, recipient: str, sheet: str | None = None) -> str:
    """The draft contract for `path` as YAML text (not yet valid for use: TODOs and roles to settle)."""
    doc, _, _ = draft_document(path, purpose, recipient, sheet)
    header = (
        f"# Draft contract profiled from {Path(path).name} for the purpose '{purpose}'.\n"
        "# Edit every TODO with the people the data is about, remove every suspected_identifier\n"
        "# field, and set the quasi_identifier roles before anyone agrees to it.\n"
    )
    return header + yaml.safe_dump(doc, sort_keys=False, allow_unicode=True, width=110)
