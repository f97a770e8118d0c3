"""A programme made with `dpup-eval init` from a generated file, then settled the way people would.

`settle` does what the README written by `init` asks of people, by editing only the programme's own
files (never the package): plain words in place of every TODO, a role for every column the draft could
not place, `status: active`, the programme's name and whether children take part.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

#: Roles people give the columns the draft left as TODO (the second programme's trial export).
ROLES = {
    "trial_arm": "service_delivery",
    "age_group": "quasi_identifier",
    "district": "quasi_identifier",
    "employed_at_six_months": "outcome",
    "training_sessions_attended": "service_delivery",
}
#: Plain words for each kind of TODO (short sentences: notices are scored for readability).
WORDS = {
    "why": "We need it to see if the trial works.",
    "adultDescription": "A fact about you from the trial.",
    "childDescription": "Something about you.",
    "purposeStatement": "To see if the trial helps people find work.",
    "recipient": "Research team",
    "schedule": "monthly",
    "notUsedFor": "Choices about one person.",
    "notSeenBy": "Case managers.",
    "retention": "We keep it for five years. Then we delete it.",
    "people": "people in the trial",
}
DEFAULT_WORDS = "Agreed at the first meeting."


def _settle(node: Any, key: str | None = None) -> Any:
    if isinstance(node, dict):
        name = node.get("property") if isinstance(node.get("property"), str) else None
        return {k: _settle(v, name if k == "value" and name else k) for k, v in node.items()}
    if isinstance(node, list):
        return [_settle(v, key) for v in node]
    if isinstance(node, str) and "TODO" in node:
        if key in ("name", "label"):
            return node.split("e.g. ", 1)[-1] if "e.g. " in node else "Agreed measure"
        if key == "phrase":
            return node.split("e.g. ", 1)[-1] if "e.g. " in node else "did well"
        if key == "proposed_by":
            return "everyone at the first workshop"
        return WORDS.get(key or "", DEFAULT_WORDS)
    return node


def settle(folder: Path, *, name: str, purpose: str, roles: dict[str, str] = ROLES) -> None:
    """Settle every open place of an `init` folder (raises if a column is left without a role)."""
    contract_path = folder / f"{purpose}.odcs.yaml"
    doc = yaml.safe_load(contract_path.read_text(encoding="utf-8"))
    for prop in doc["schema"][0]["properties"]:
        role = next(p for p in prop["customProperties"] if p["property"] == "role")
        if role["value"] == "TODO":
            role["value"] = roles[prop["name"]]  # a KeyError: the draft left a column nobody planned for
    doc = _settle(doc)
    doc["status"] = "active"
    doc["name"] = name
    contract_path.write_text(yaml.safe_dump(doc, sort_keys=False, allow_unicode=True), encoding="utf-8")
    settings = yaml.safe_load((folder / "programme.yaml").read_text(encoding="utf-8"))
    settings.update(name=name, children_take_part=False)
    (folder / "programme.yaml").write_text(yaml.safe_dump(settings, sort_keys=False, allow_unicode=True), "utf-8")
    indicators = _settle(yaml.safe_load((folder / "indicators.yaml").read_text(encoding="utf-8")))
    indicators["programme"] = name
    (folder / "indicators.yaml").write_text(yaml.safe_dump(indicators, sort_keys=False, allow_unicode=True), "utf-8")
