"""The use register: what the agency used the information for, and what came of it.

Why: in the service-provider journey CCSS feels its data goes "into a black hole". DPUP's answer is that
the agency tells the provider (and, through it, families) what the information was used for: each
decision, piece of advice or report, which data and findings informed it, and a plain summary. This
register keeps those entries and exports them, as an HTML page for CCSS's Board or as CSV.

Entries are typed by people, so every HTML export escapes them. Entries are about uses of aggregate
findings, never about a person: the register refuses an entry naming a pseudonymous reference.
"""

from __future__ import annotations

import csv
import io
import json
import os
import re
import sqlite3
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Literal

from pydantic import BaseModel

from dpup_eval.errors import DpupEvalError
from dpup_eval.paths import dpup_home

__all__ = ["USE_KINDS", "UseRecord", "UseRegister", "UseRegisterError", "default_uses_path"]

UseKind = Literal["decision", "advice", "report", "funding", "other"]
USE_KINDS: tuple[str, ...] = ("decision", "advice", "report", "funding", "other")
_KIND_PLAIN = {"decision": "A decision", "advice": "Advice", "report": "A report", "funding": "Funding",
               "other": "Other use"}
_REFERENCE = re.compile(r"\b[PFS]-[0-9A-F]{8}\b")  # the pseudonymous references the contracts define

_SCHEMA = """
CREATE TABLE IF NOT EXISTS uses (
  id INTEGER PRIMARY KEY, used_on TEXT NOT NULL, kind TEXT NOT NULL, what TEXT NOT NULL, purpose TEXT,
  data_used TEXT NOT NULL, findings TEXT NOT NULL, summary TEXT NOT NULL, recorded_by TEXT NOT NULL,
  recorded_at TEXT NOT NULL);
"""


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

    @property
    def kind_plain(self) -> str:
        return _KIND_PLAIN[self.kind]


class UseRegister:
    """The register at ``path`` (default :func:`default_uses_path`), one SQLite file."""

    def __init__(self, path: Path | None = None):
        self.path = Path(path or default_uses_path())

    @contextmanager
    def _db(self) -> Iterator[sqlite3.Connection]:
        if not self.path.exists():
            self.path.parent.mkdir(parents=True, exist_ok=True)
            os.close(os.open(self.path, os.O_WRONLY | os.O_CREAT, 0o600))
        con = sqlite3.connect(self.path)
        con.row_factory = sqlite3.Row
        try:
            con.executescript(_SCHEMA)
            with con:
                yield con
        finally:
            con.close()

    def add(self, *, used_on: date, kind: str, what: str, summary: str, data_used: Sequence[str] = (),
            findings: Sequence[str] = (), purpose: str | None = None, recorded_by: str | None = None) -> UseRecord:
        """Record one use; ``data_used`` names fields or datasets, ``findings`` the findings it drew on."""
        from dpup_eval.audit import configured_actor

        if kind not in USE_KINDS:
            raise UseRegisterError(f"kind must be one of {', '.join(USE_KINDS)}, not {kind!r}")
        if not what.strip() or not summary.strip():
            raise UseRegisterError("say what the information was used for (what) and give a plain summary")
        texts = [what, summary, *data_used, *findings]
        if any(_REFERENCE.search(t) for t in texts):
            raise UseRegisterError("the entry contains a person's or whānau's reference; the use register is about "
                                   "uses of findings, never about one person: remove the reference")
        with self._db() as con:
            cursor = con.execute(
                "INSERT INTO uses (used_on, kind, what, purpose, data_used, findings, summary, recorded_by, recorded_at) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (used_on.isoformat(), kind, what.strip(), purpose, json.dumps([d.strip() for d in data_used if d.strip()],
                 ensure_ascii=False), json.dumps([f.strip() for f in findings if f.strip()], ensure_ascii=False),
                 summary.strip(), recorded_by or configured_actor()[0], datetime.now(UTC).isoformat(timespec="seconds")),
            )
        return self.get(int(cursor.lastrowid or 0))

    def get(self, use_id: int) -> UseRecord:
        with self._db() as con:
            row = con.execute("SELECT * FROM uses WHERE id = ?", (use_id,)).fetchone()
        if row is None:
            raise UseRegisterError(f"there is no use number {use_id} in {self.path}")
        return _record(row)

    def list(self, *, purpose: str | None = None, since: date | None = None) -> list[UseRecord]:
        """Uses, newest first; optionally for one purpose and from a date."""
        query, args = "SELECT * FROM uses WHERE 1 = 1", []
        if purpose:
            query, args = query + " AND purpose = ?", [*args, purpose]
        if since:
            query, args = query + " AND used_on >= ?", [*args, since.isoformat()]
        with self._db() as con:
            rows = con.execute(query + " ORDER BY used_on DESC, id DESC", args).fetchall()
        return [_record(r) for r in rows]


def _record(row: sqlite3.Row) -> UseRecord:
    data = dict(row) | {"data_used": json.loads(row["data_used"]), "findings": json.loads(row["findings"])}
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
    return "\n".join(lines)


def uses_csv(records: Sequence[UseRecord]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["id", "used_on", "kind", "what", "purpose", "data_used", "findings", "summary", "recorded_by"])
    for r in records:
        writer.writerow([r.id, r.used_on.isoformat(), r.kind, r.what, r.purpose or "", "; ".join(r.data_used),
                         "; ".join(r.findings), r.summary, r.recorded_by])
    return out.getvalue()


def uses_html(records: Sequence[UseRecord], *, title: str = "What the information was used for",
              provider: str = "City Centre Social Services", programme: str = "Best foot forward") -> str:
    """A standalone, printable page for the provider's Board; everything typed is escaped."""
    from dpup_eval.rights.notices import render_template

    return render_template("rights_uses.html.j2", records=list(records), title=title, provider=provider,
                           programme=programme, today=date.today())
