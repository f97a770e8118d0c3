"""Profile a data file into a draft contract for a new programme to edit.

The draft is ODCS YAML with the types, categories and ranges found, `TODO` texts where people
must write the plain descriptions, and every column that looks identifying marked with the role
`suspected_identifier`, which no contract accepts: the draft cannot be used until someone
removes those columns or explains them. The draft never copies values that look identifying;
categories are listed only for columns with few distinct values.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import yaml

from dpup_eval.intake.identifiers import scan_text
from dpup_eval.intake.reading import read_table

MAX_CATEGORIES = 12
FREE_TEXT_LENGTH = 40
IDENTIFYING_NAMES = re.compile(
    r"(^|_)(name|surname|first_?name|last_?name|phone|mobile|email|e_?mail|address|street|dob|birth|"
    r"nhi|ird|passport|licen[cs]e)(_|$)",
    re.IGNORECASE,
)
REF_PATTERN = re.compile(r"^([A-Z]{1,3})-([0-9A-F]+)$")


def _profile_column(name: str, series: pd.Series) -> dict[str, Any]:
    present = series.dropna()
    text = present.astype(str)
    prop: dict[str, Any] = {"name": name, "businessName": name.replace("_", " ").capitalize()}
    hits = [kind for kind, mask in scan_text(pd.Series(text.unique())).items() if np.asarray(mask).any()]
    suspicious = bool(IDENTIFYING_NAMES.search(name)) or bool(hits)
    numbers = pd.to_numeric(text, errors="coerce")
    dates = pd.to_datetime(text, format="%Y-%m-%d", errors="coerce")
    role = "TODO"
    if len(text) and numbers.notna().all() and (numbers == np.floor(numbers)).all():
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
        distinct = text.unique()
        refs = [REF_PATTERN.match(v) for v in distinct[:1000]]
        if len(distinct) and all(refs):
            prefixes = sorted({m.group(1) for m in refs if m})
            lengths = sorted({len(m.group(2)) for m in refs if m})
            if len(prefixes) == 1 and len(lengths) == 1:
                prop["logicalTypeOptions"] = {"pattern": f"^{prefixes[0]}-[0-9A-F]{{{lengths[0]}}}$"}
                role = "pseudonymous_key"
        elif (
            not suspicious and 0 < len(distinct) <= MAX_CATEGORIES and len(distinct) <= max(1, len(text) // 5)
        ):
            prop["enum"] = [{"value": v} for v in sorted(distinct)]
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
        why = (
            f"REMOVE before agreeing: this column seems to hold {kinds}; identifying data must not be shared"
        )
    prop["customProperties"] = [
        {"property": "role", "value": role},
        {"property": "why", "value": why},
        {"property": "adultDescription", "value": "TODO: what this is, in plain words for adults"},
        {"property": "childDescription", "value": "TODO: what this is, in plain words for children"},
    ]
    return prop


def draft_contract(path: str | Path, purpose: str, recipient: str, sheet: str | None = None) -> str:
    """The draft contract for `path` as YAML text (not yet valid for use: TODOs and roles to settle)."""
    if not re.match(r"^[a-z][a-z0-9_]*$", purpose):
        raise ValueError(f"purpose '{purpose}' must be lower case letters, digits and _ (e.g. evaluation)")
    raw = read_table(path, sheet=sheet)
    name = Path(path).stem
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
            {"property": "minGroupSize", "value": 5},
        ],
        "schema": [
            {
                "name": re.sub(r"[^A-Za-z0-9_]+", "_", name),
                "physicalType": "file",
                "description": f"Profiled from {Path(path).name}: {raw.rows_read} rows.",
                "properties": [_profile_column(col, raw.frame[col]) for col in raw.frame.columns],
            }
        ],
    }
    header = (
        f"# Draft contract profiled from {Path(path).name} for the purpose '{purpose}'.\n"
        "# Edit every TODO with the people the data is about, remove every suspected_identifier\n"
        "# field, and set the quasi_identifier roles before anyone agrees to it.\n"
    )
    return header + yaml.safe_dump(doc, sort_keys=False, allow_unicode=True, width=110)
