"""A programme's story settings: the domains of change its stories speak to, and its watch list.

Why per programme, in its folder (``stories.yaml`` beside ``programme.yaml``): the domains are what the
programme is trying to change, decided with the families and the provider (Most Significant Change asks
"what was the most significant change in *this* domain"), and the watch list names the rare
circumstances that could pick out a family in *this* programme's small places and groups. A programme
without stories has no file; recording a story then says what to write.

    domains:
      - id: parent_confidence
        name: Confidence as a parent
        child_name: Feeling sure as a mum or dad     # optional: how a child reads it
      - id: children_wellbeing
        name: The children's wellbeing
    watch_words: [twins, triplets, wheelchair, refugee]
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ConfigDict

from dpup_eval.errors import ContractError, ContractIssue, DpupEvalError

__all__ = ["STORIES_FILE", "Domain", "StorySettings"]

STORIES_FILE = "stories.yaml"
_ID = re.compile(r"^[a-z][a-z0-9_]{0,39}$")
_KEYS = ("domains", "watch_words")


class Domain(BaseModel):
    """A domain of change: an id kept in the records, and plain words people read."""

    model_config = ConfigDict(frozen=True)

    id: str
    name: str
    child_name: str | None = None


class StorySettings(BaseModel):
    """What ``stories.yaml`` holds, validated."""

    model_config = ConfigDict(frozen=True)

    domains: tuple[Domain, ...]
    watch_words: tuple[str, ...] = ()
    path: Path | None = None

    def domain(self, domain_id: str) -> Domain:
        for d in self.domains:
            if d.id == domain_id:
                return d
        known = ", ".join(d.id for d in self.domains)
        raise DpupEvalError(f"'{domain_id}' is not one of this programme's domains of change ({known})")

    @classmethod
    def load(cls, folder: str | Path) -> StorySettings:
        """Read ``stories.yaml`` from a programme folder; every problem is listed in one `ContractError`."""
        path = Path(folder) / STORIES_FILE
        file = str(path)
        if not path.is_file():
            raise DpupEvalError(
                f"{path}: no story settings: write {STORIES_FILE} in the programme folder with the domains of "
                "change its stories speak to (see README, 'Families' stories')"
            )
        try:
            raw = yaml.safe_load(path.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, yaml.YAMLError):
            raise ContractError([ContractIssue(file, "", "is not readable YAML text")]) from None
        if not isinstance(raw, dict):
            raise ContractError([ContractIssue(file, "", "give the domains (and, if you like, watch_words)")])
        issues = [ContractIssue(file, str(k), f"'{k}' is not a story setting; they are {', '.join(_KEYS)}")
                  for k in raw if k not in _KEYS]
        domains = _domains(raw.get("domains"), file, issues)
        words = raw.get("watch_words") or []
        if not isinstance(words, list) or not all(isinstance(w, str) and w.strip() for w in words):
            issues.append(ContractIssue(file, "watch_words", "list words or phrases, one per entry"))
            words = []
        if issues:
            raise ContractError(issues)
        return cls(domains=tuple(domains), watch_words=tuple(w.strip() for w in words), path=path)


def _domains(raw: Any, file: str, issues: list[ContractIssue]) -> list[Domain]:
    if not isinstance(raw, list) or not raw:
        issues.append(ContractIssue(file, "domains", "list the domains of change stories speak to, each with an "
                                                     "id and a plain name (e.g. id: parent_confidence, name: "
                                                     "Confidence as a parent)"))
        return []
    found: list[Domain] = []
    for i, entry in enumerate(raw):
        place = f"domains[{i}]"
        if not isinstance(entry, dict):
            issues.append(ContractIssue(file, place, "give the domain as id and name"))
            continue
        domain_id, name, child = entry.get("id"), entry.get("name"), entry.get("child_name")
        ok = True
        if not isinstance(domain_id, str) or not _ID.match(domain_id):
            issues.append(ContractIssue(file, f"{place}.id", f"'{domain_id}' is not a usable id: lower case "
                                                             "letters, digits and _, up to 40"))
            ok = False
        elif any(d.id == domain_id for d in found):
            issues.append(ContractIssue(file, f"{place}.id", f"'{domain_id}' is listed twice"))
            ok = False
        if not isinstance(name, str) or not name.strip():
            issues.append(ContractIssue(file, f"{place}.name", "give the domain in plain words"))
            ok = False
        if child is not None and (not isinstance(child, str) or not child.strip()):
            issues.append(ContractIssue(file, f"{place}.child_name", "give the words a child reads, or leave it out"))
            ok = False
        extra = sorted(set(entry) - {"id", "name", "child_name"})
        if extra:
            issues.append(ContractIssue(file, place, f"unknown key(s) {', '.join(extra)}: a domain has id, name "
                                                     "and child_name"))
            ok = False
        if ok and isinstance(domain_id, str) and isinstance(name, str):  # the checks above; repeated for the types
            found.append(Domain(id=domain_id, name=name.strip(), child_name=child.strip() if child else None))
    return found
