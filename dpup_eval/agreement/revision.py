"""A new version of a programme's agreement from agreed changes: edited, versioned, validated, summarised.

Why all four in one step: what people sign must be a contract the workbench will actually use. So the
agreed changes (:mod:`dpup_eval.agreement.editing`) are made to the documents, each changed contract's
version is bumped by the rule in :mod:`dpup_eval.agreement.versions`, and the result is loaded by the same
validation as any programme folder (ODCS schema, DPUP requirements, the programme's settings) before it is
offered; the plain-language summary is :mod:`dpup_eval.agreement.diff`'s.

Texts, not files: versions live in the workshop record as the contracts' YAML text (history kept, nothing
overwritten); only :func:`write_version` puts an agreed version into the programme folder, keeping the
replaced files under ``history/``.
"""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from dpup_eval.agreement.contract import CONTRACT_SUFFIXES, Agreement
from dpup_eval.agreement.diff import AgreementDiff, diff_agreements
from dpup_eval.agreement.editing import apply_edit
from dpup_eval.agreement.versions import Version

__all__ = ["HISTORY", "Edit", "Revision", "load_texts", "previous_texts", "read_texts", "revise", "texts_agreement",
           "write_version"]

#: Where replaced contract files are kept in a programme folder: ``history/<file>@<version>``.
HISTORY = "history"


@dataclass(frozen=True)
class Edit:
    """One agreed change: what kind, to which purpose and field, and its details (see `apply_edit`)."""

    kind: str
    purpose: str
    field: str | None = None
    detail: tuple[tuple[str, Any], ...] = ()

    @classmethod
    def of(cls, kind: str, purpose: str, field: str | None = None, **detail: Any) -> Edit:
        return cls(kind, purpose, field, tuple(sorted(detail.items())))


@dataclass(frozen=True)
class Revision:
    """The new contract texts (file name -> YAML) and what changed from the texts they were made from."""

    texts: dict[str, str]
    diff: AgreementDiff


def read_texts(folder: Path) -> dict[str, str]:
    """Every contract file's text in a programme folder, by file name."""
    return {p.name: p.read_text(encoding="utf-8") for p in sorted(Path(folder).iterdir())
            if p.name.endswith(CONTRACT_SUFFIXES)}


def _purpose_of(doc: dict[str, Any]) -> str:
    return next((c.get("value") for c in doc.get("customProperties") or [] if c.get("property") == "purpose"), "")


def texts_agreement(texts: dict[str, str], settings_from: Path, scratch: Path) -> Agreement:
    """The contract texts loaded (validated) as a programme, using ``settings_from``'s settings and indicators."""
    scratch.mkdir(parents=True, exist_ok=True)
    for path in Path(settings_from).iterdir():
        if path.is_file() and not path.name.endswith(CONTRACT_SUFFIXES):
            shutil.copy2(path, scratch / path.name)
    for name, text in texts.items():
        (scratch / name).write_text(text, encoding="utf-8")
    return Agreement.load(scratch)


def load_texts(texts: dict[str, str], settings_from: Path) -> Agreement:
    """Validate contract texts against a programme's settings (raises `ContractError` listing every problem)."""
    with tempfile.TemporaryDirectory(prefix="dpup-agreement-") as tmp:
        return texts_agreement(texts, settings_from, Path(tmp) / "programme")


def revise(texts: dict[str, str], edits: Iterable[Edit], settings_from: Path) -> Revision:
    """Make ``edits`` to the contract ``texts``, bump each changed contract's version, validate, summarise."""
    docs: dict[str, dict[str, Any]] = {}
    files: dict[str, str] = {}
    for name, text in texts.items():
        doc = yaml.safe_load(text)
        docs[_purpose_of(doc)] = doc
        files[_purpose_of(doc)] = name
    for edit in edits:
        docs = apply_edit(docs, edit.kind, edit.purpose, edit.field, dict(edit.detail))
    with tempfile.TemporaryDirectory(prefix="dpup-agreement-") as tmp:
        before = texts_agreement(texts, settings_from, Path(tmp) / "before")
        draft = {files[p]: _dump(doc) for p, doc in docs.items()}
        unbumped = diff_agreements(before, texts_agreement(draft, settings_from, Path(tmp) / "draft"))
        final = dict(texts)  # an unchanged contract keeps its text, comments and all
        for verdict in unbumped.verdicts:
            if verdict.level and verdict.old:
                docs[verdict.purpose]["version"] = str(Version.parse(verdict.old).bump(verdict.level))
                final[files[verdict.purpose]] = _dump(docs[verdict.purpose])
        diff = diff_agreements(before, texts_agreement(final, settings_from, Path(tmp) / "final"))
    return Revision(final, diff)


def _dump(doc: dict[str, Any]) -> str:
    return yaml.safe_dump(doc, allow_unicode=True, sort_keys=False, width=110)


def write_version(folder: Path, texts: dict[str, str]) -> list[Path]:
    """Put an agreed version into the programme folder; each replaced file is kept as ``history/<file>@<version>``.

    Validated first (against the folder's own settings): a version that would not load is never written.
    """
    from dpup_eval.files import write_text

    load_texts(texts, folder)
    kept: list[Path] = []
    for name, text in texts.items():
        target = Path(folder) / name
        if target.exists():
            old = target.read_text(encoding="utf-8")
            if old == text:
                continue
            version = str((yaml.safe_load(old) or {}).get("version", "unversioned"))
            keep = Path(folder) / HISTORY / f"{name}@{version}"
            if not keep.exists():
                write_text(keep, old)
                kept.append(keep)
        write_text(target, text)
    return kept


def previous_texts(folder: Path) -> dict[str, str] | None:
    """The contract texts in use before the current version (newest kept file per contract), None if never replaced.

    A contract never replaced is taken as it is now (it did not change).
    """
    kept = Path(folder) / HISTORY
    current = read_texts(folder)
    if not kept.is_dir():
        return None
    found: dict[str, tuple[Version, Path]] = {}
    for path in kept.iterdir():
        name, _, version = path.name.rpartition("@")
        if name not in current:
            continue
        try:
            number = Version.parse(version)
        except Exception:  # a hand-kept file with no version in its name: not a version
            continue
        if name not in found or number > found[name][0]:
            found[name] = (number, path)
    if not found:
        return None
    return {name: (found[name][1].read_text(encoding="utf-8") if name in found else text)
            for name, text in current.items()}
