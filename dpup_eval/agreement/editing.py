"""Changes people agree to, applied to the contract documents (ODCS YAML) of a programme.

Why on the documents and not on the `Contract` model: a new version must stay a complete ODCS file
(comments aside) that the existing validation reads exactly as it reads a hand-written one. Each edit
takes the documents of every purpose (a move touches two) and says what it did; the result is checked
by :func:`dpup_eval.agreement.contract.Contract.load` before anyone is asked to sign it.

Coarsening, as the issue's examples ask: an exact date to a month, a quarter or a year (the field keeps its
name and becomes text in that shape: ``2025-03``, ``2025-Q1``, ``2025``); an exact whole number (an age)
to bands (a new field ``<name>_band`` that ``replaces`` it, with one category per band).
"""

from __future__ import annotations

import copy
from collections.abc import Sequence
from typing import Any

from dpup_eval.errors import DpupEvalError

__all__ = ["COARSER", "EDIT_KINDS", "EditError", "REWORDABLE", "apply_edit", "band_codes"]

Doc = dict[str, Any]
#: Shapes a date can be coarsened to: pattern, plain words, an example.
COARSER: dict[str, tuple[str, str, str]] = {
    "month": ("^[0-9]{4}-(0[1-9]|1[0-2])$", "the month", "2025-03"),
    "quarter": ("^[0-9]{4}-Q[1-4]$", "the quarter", "2025-Q1"),
    "year": ("^[0-9]{4}$", "the year", "2025"),
}
#: What a reword may change: (ODCS place, what people call it). Field texts are customProperties except
#: the plain name (``businessName``); purpose texts are the contract's customProperties.
REWORDABLE = {
    "plain_name": "the plain name", "adult_description": "the description", "child_description":
    "the description for children", "why": "why it is needed", "purpose_statement": "the purpose statement",
}
_CUSTOM_KEY = {"adult_description": "adultDescription", "child_description": "childDescription", "why": "why",
               "purpose_statement": "purposeStatement"}
EDIT_KINDS = ("drop", "coarsen", "move", "reword", "not_used_for")
DEFAULT_AGE_BANDS = (0, 5, 10, 15, 18, 25, 35, 45, 55)


class EditError(DpupEvalError):
    """An agreed change that cannot be made to the contracts as they stand (the field is gone...)."""


def _props(doc: Doc) -> list[Doc]:
    return doc["schema"][0].setdefault("properties", [])


def _find(doc: Doc, name: str, purpose: str) -> Doc:
    for prop in _props(doc):
        if prop.get("name") == name:
            return prop
    raise EditError(f"'{name}' is not a field of the {purpose.replace('_', ' ')} contract any more")


def _custom(entry: Doc) -> list[Doc]:
    return entry.setdefault("customProperties", [])


def _set_custom(entry: Doc, key: str, value: Any) -> None:
    for item in _custom(entry):
        if item.get("property") == key:
            item["value"] = value
            return
    _custom(entry).append({"property": key, "value": value})


def _get_custom(entry: Doc, key: str) -> Any:
    return next((item.get("value") for item in _custom(entry) if item.get("property") == key), None)


def _drop_rules(doc: Doc, name: str) -> list[str]:
    """Remove quality rules that name ``name``; returns their descriptions (the change summary lists them)."""
    removed: list[str] = []
    dataset = doc["schema"][0]
    for holder in [dataset, *_props(doc)]:
        kept = []
        for rule in holder.get("quality") or []:
            impl = rule.get("implementation") or {}
            fields = [impl.get("left"), impl.get("right"), *((rule.get("arguments") or {}).get("properties") or [])]
            if name in fields:
                removed.append(rule.get("description") or rule.get("name") or "a check")
            else:
                kept.append(rule)
        if "quality" in holder:
            holder["quality"] = kept
    return removed


def band_codes(edges: Sequence[int]) -> list[tuple[str, str]]:
    """Band codes and labels from lower edges: (0, 5, 18) -> 0-4 "0 to 4", 5-17 "5 to 17", 18+ "18 or more"."""
    if list(edges) != sorted(set(edges)) or len(edges) < 2:
        raise EditError("band edges must be at least two different whole numbers, smallest first")
    out = [(f"{low}-{high - 1}", f"{low} to {high - 1}") for low, high in zip(edges, edges[1:], strict=False)]
    out.append((f"{edges[-1]}+", f"{edges[-1]} or more"))
    return out


def _coarsen(doc: Doc, purpose: str, name: str, to: str, edges: Sequence[int] | None) -> Doc:
    prop = _find(doc, name, purpose)
    logical = prop.get("logicalType", "string")
    if logical == "date" and to in COARSER:
        pattern, said, example = COARSER[to]
        _drop_rules(doc, name)
        prop["logicalType"] = "string"
        prop["logicalTypeOptions"] = {"pattern": pattern}
        for key in ("adultDescription", "childDescription"):
            text = _get_custom(prop, key)
            if isinstance(text, str):
                _set_custom(prop, key, f"{text.rstrip('.')}: {said} only, such as {example}.")
        return prop
    if logical == "integer" and to == "bands":
        bands = band_codes(edges or DEFAULT_AGE_BANDS)
        new = copy.deepcopy(prop)
        new["name"] = f"{name}_band"
        new["businessName"] = f"{prop.get('businessName') or name.replace('_', ' ')} band"
        new["logicalType"] = "string"
        new.pop("logicalTypeOptions", None)
        new.pop("quality", None)
        new["enum"] = [{"value": code, "label": label} for code, label in bands]
        _set_custom(new, "replaces", name)
        for key in ("adultDescription", "childDescription"):
            text = _get_custom(new, key)
            if isinstance(text, str):
                _set_custom(new, key, f"{text.rstrip('.')}: a band such as {bands[1][1]}, not the exact number.")
        _drop_rules(doc, name)
        props = _props(doc)
        props[props.index(prop)] = new
        return new
    shapes = ", ".join(COARSER) if logical == "date" else "bands"
    raise EditError(f"'{name}' is {logical}; it can be coarsened to {shapes}" if logical in ("date", "integer")
                    else f"'{name}' is {logical}: only exact dates and whole numbers can be coarsened here")


def apply_edit(docs: dict[str, Doc], kind: str, purpose: str, field: str | None, detail: dict[str, Any]) -> dict[str, Doc]:
    """New documents (the given ones are not changed) with one agreed change made.

    ``detail``: coarsen ``{"to": "month"|"quarter"|"year"|"bands", "edges": [...]}``; move
    ``{"to_purpose": p}``; reword ``{"what": one of REWORDABLE, "text": t}``; not_used_for ``{"text": t}``.
    """
    if purpose not in docs:
        raise EditError(f"'{purpose}' is not a purpose of this agreement")
    out = copy.deepcopy(docs)
    doc = out[purpose]
    if kind in ("drop", "coarsen", "move") and not field:
        raise EditError(f"a {kind} names the field it is about")
    if kind == "drop":
        props = _props(doc)
        props.remove(_find(doc, field, purpose))  # type: ignore[arg-type]
        _drop_rules(doc, field)  # type: ignore[arg-type]
    elif kind == "coarsen":
        _coarsen(doc, purpose, field, str(detail.get("to")), detail.get("edges"))  # type: ignore[arg-type]
    elif kind == "move":
        target = detail.get("to_purpose")
        if target not in out or target == purpose:
            raise EditError(f"move '{field}' to another purpose of this agreement (got {target!r})")
        prop = _find(doc, field, purpose)  # type: ignore[arg-type]
        if any(p.get("name") == field for p in _props(out[target])):
            raise EditError(f"the {target.replace('_', ' ')} contract already has '{field}'")
        _props(doc).remove(prop)
        _drop_rules(doc, field)  # type: ignore[arg-type]
        moved = copy.deepcopy(prop)
        moved.pop("quality", None)
        for key in ("primaryKey", "primaryKeyPosition", "unique"):
            moved.pop(key, None)
        _props(out[target]).append(moved)
    elif kind == "reword":
        what, text = detail.get("what"), str(detail.get("text") or "").strip()
        if what not in REWORDABLE or not text:
            raise EditError(f"a reword says what it rewords ({', '.join(REWORDABLE)}) and the new words")
        if what == "purpose_statement":
            _set_custom(doc, "purposeStatement", text)
        elif not field:
            raise EditError(f"rewording {REWORDABLE[what]} names the field")
        elif what == "plain_name":
            _find(doc, field, purpose)["businessName"] = text
        else:
            _set_custom(_find(doc, field, purpose), _CUSTOM_KEY[what], text)
    elif kind == "not_used_for":
        text = str(detail.get("text") or "").strip()
        if not text:
            raise EditError("say what the data will not be used for")
        current = _get_custom(doc, "notUsedFor") or []
        if text not in current:
            _set_custom(doc, "notUsedFor", [*current, text])
    else:
        raise EditError(f"'{kind}' is not a change to an agreement; one of {', '.join(EDIT_KINDS)}")
    return out
