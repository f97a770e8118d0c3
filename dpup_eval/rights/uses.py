"""The use register: what the agency used the information for, and what came of it.

Why: in the service-provider journey CCSS feels its data goes "into a black hole". DPUP's answer is that
the agency tells the provider (and, through it, families) what the information was used for: each
decision, piece of advice or report, which data and findings informed it, and a plain summary. This
register keeps those entries and exports them, as an HTML page for CCSS's Board or as CSV.

Entries are typed by people, so every HTML export escapes them. Entries are about uses of aggregate
findings, never about a person: the register refuses an entry naming a pseudonymous reference, whatever
shape the programme's references have (:mod:`dpup_eval.rights.references`, from its contracts).
"""

from __future__ import annotations

import io
import json
from collections.abc import Callable, Mapping, Sequence
from datetime import UTC, date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal, TypeVar

import sqlalchemy as sa
from pydantic import BaseModel

from dpup_eval.errors import DpupEvalError
from dpup_eval.paths import dpup_home
from dpup_eval.records import inserted_id
from dpup_eval.rights.references import ReferencePattern, find_reference
from dpup_eval.rights.registers import USE_TABLE, USES, open_register, target_of

if TYPE_CHECKING:
    from sqlalchemy.engine import Connection

T = TypeVar("T")

__all__ = ["USE_KINDS", "UseRecord", "UseRegister", "UseRegisterError", "default_uses_path"]

UseKind = Literal["decision", "advice", "report", "funding", "other"]
USE_KINDS: tuple[str, ...] = ("decision", "advice", "report", "funding", "other")
_KIND_PLAIN = {"decision": "A decision", "advice": "Advice", "report": "A report", "funding": "Funding",
               "other": "Other use"}

class UseRegisterError(DpupEvalError):
    """A use entry that cannot be recorded (missing text, a person's reference in it, bad kind)."""


def default_uses_path() -> Path:
    """``uses.sqlite`` in the workbench's folder (see `dpup_eval.paths.dpup_home`)."""
    return dpup_home() / "uses.sqlite"


class UseRecord(BaseModel):
    """One outcome of using the information."""

    id: int
    used_on: date
    kind: UseKind
    what: str
    purpose: str | None
    data_used: list[str]
    findings: list[str]
    summary: str
    recorded_by: str
    recorded_at: str
    stories: list[int] = []  # story numbers in the story register (never a family's reference)

    @property
    def kind_plain(self) -> str:
        return _KIND_PLAIN[self.kind]


class UseRegister:
    """The register at ``path`` (default :func:`default_uses_path`): a SQLite file, or a PostgreSQL URL."""

    def __init__(self, path: Path | str | None = None):
        self.path = target_of(path, default_uses_path())

    def _run(self, body: Callable[[Connection], T], *, write: bool = False) -> T:
        with open_register(self.path, USES) as db:
            return db.transaction(body, write=write)

    def add(self, *, used_on: date, kind: str, what: str, summary: str, references: Sequence[ReferencePattern],
            data_used: Sequence[str] = (), findings: Sequence[str] = (), purpose: str | None = None,
            recorded_by: str | None = None, stories: Sequence[int] = ()) -> UseRecord:
        """Record one use; ``data_used`` names fields or datasets, ``findings`` the findings it drew on,
        ``stories`` the numbers of families' stories it quoted (so each family can be told where theirs went).

        ``references``: the shapes of the programme's pseudonymous references
        (:func:`~dpup_eval.rights.references.reference_patterns`); an entry naming one is refused.
        """
        from dpup_eval.audit import configured_actor

        if kind not in USE_KINDS:
            raise UseRegisterError(f"kind must be one of {', '.join(USE_KINDS)}, not {kind!r}")
        if not what.strip() or not summary.strip():
            raise UseRegisterError("say what the information was used for (what) and give a plain summary")
        hit = find_reference([what, summary, *data_used, *findings], references)
        if hit is not None:
            raise UseRegisterError(f"the entry contains what looks like a person's or whānau's reference (the shape of "
                                   f"'{hit.field}' in the {hit.purpose} contract); the use register is about uses of "
                                   "findings, never about one person: remove the reference")
        row = {
            "used_on": used_on.isoformat(), "kind": kind, "what": what.strip(), "purpose": purpose,
            "data_used": json.dumps([d.strip() for d in data_used if d.strip()], ensure_ascii=False),
            "findings": json.dumps([f.strip() for f in findings if f.strip()], ensure_ascii=False),
            "summary": summary.strip(), "recorded_by": recorded_by or configured_actor()[0],
            "recorded_at": datetime.now(UTC).isoformat(timespec="seconds"),
            "stories": json.dumps(sorted({int(n) for n in stories})),
        }  # fmt: skip
        new_id = self._run(lambda c: inserted_id(c.execute(USE_TABLE.insert().values(**row))), write=True)
        return self.get(int(new_id))

    def get(self, use_id: int) -> UseRecord:
        row = self._run(lambda c: c.execute(sa.select(USE_TABLE).where(USE_TABLE.c.id == use_id)).mappings().first())
        if row is None:
            raise UseRegisterError(f"there is no use number {use_id} in {self.path}")
        return _record(row)

    def list(self, *, purpose: str | None = None, since: date | None = None,
             story: int | None = None) -> list[UseRecord]:
        """Uses, newest first; optionally for one purpose, from a date, or that used one story."""
        query = sa.select(USE_TABLE).order_by(USE_TABLE.c.used_on.desc(), USE_TABLE.c.id.desc())
        if purpose:
            query = query.where(USE_TABLE.c.purpose == purpose)
        if since:
            query = query.where(USE_TABLE.c.used_on >= since.isoformat())
        found = [_record(r) for r in self._run(lambda c: c.execute(query).mappings().all())]
        return [r for r in found if story in r.stories] if story is not None else found


def _record(row: Mapping[Any, Any]) -> UseRecord:
    data = dict(row) | {"data_used": json.loads(row["data_used"]), "findings": json.loads(row["findings"]),
                        "stories": json.loads(row["stories"] or "[]")}
    return UseRecord.model_validate(data)


def uses_text(records: Sequence[UseRecord]) -> str:
    """One block per use, for the terminal."""
    if not records:
        return "No uses recorded."
    lines = []
    for r in records:
        lines.append(f"#{r.id} {r.used_on} {r.kind_plain}: {r.what}" + (f" [{r.purpose}]" if r.purpose else ""))
        lines.append(f"    {r.summary}")
        if r.data_used:
            lines.append(f"    data: {', '.join(r.data_used)}")
        if r.findings:
            lines.append(f"    findings: {'; '.join(r.findings)}")
        if r.stories:
            lines.append(f"    families' stories: {', '.join(f'#{n}' for n in r.stories)}")
    return "\n".join(lines)


def uses_csv(records: Sequence[UseRecord]) -> str:
    """The register as CSV text, through the workbench's one spreadsheet-safe writer (`dpup_eval.safe_csv`)."""
    import pandas as pd

    from dpup_eval.safe_csv import write_csv_to

    columns = ["id", "used_on", "kind", "what", "purpose", "data_used", "findings", "summary", "recorded_by",
               "stories"]
    rows = [[str(r.id), r.used_on.isoformat(), r.kind, r.what, r.purpose or "", "; ".join(r.data_used),
             "; ".join(r.findings), r.summary, r.recorded_by, "; ".join(str(n) for n in r.stories)] for r in records]
    out = io.BytesIO()
    write_csv_to(out, pd.DataFrame(rows, columns=columns, dtype="string[pyarrow]"))
    return out.getvalue().decode("utf-8")


def uses_html(records: Sequence[UseRecord], *, provider: str, programme: str,
              title: str = "What the information was used for", language: str = "en-NZ") -> str:
    """A standalone, printable page for the provider's Board; everything typed is escaped."""
    from dpup_eval.rights.notices import render_template

    return render_template("rights_uses.html.j2", records=list(records), title=title, provider=provider,
                           programme=programme, today=date.today(), language=language)
