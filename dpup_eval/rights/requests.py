"""The privacy officer's register of access (IPP 6) and correction (IPP 7) requests.

Why: in the service-provider journey families ask what CCSS or the agency holds about them, and CCSS
"doesn't know what the process is". Under DPUP the family asks CCSS only; CCSS answers for both, since
what the agency holds is exactly what CCSS sent it (the files sent) plus who used it (the audit log).

* A request is logged with the day it was received; it is due 20 working days later (Privacy Act 2020,
  s 44, the same limit is applied to corrections) and, if it has to be transferred to the agency, the
  transfer is due within 10 working days (s 43). Working days come from :mod:`dpup_eval.rights.workdays`.
* Families are named by **CCSS's own family reference**. CCSS holds a **key map** (a CSV with columns
  ``provider_family_ref,purpose,family_ref``) linking it to the different pseudonymous reference sent
  for each purpose; only CCSS can make that link. :mod:`dpup_eval.demo.key_map` derives it for the demo data.
* A correction is either applied (a new version of the record; the old value stays in its history
  with who changed it and why) or recorded as a statement of the correction sought but not made.
  Either way everyone who received the old value is listed, so they can be told. A correction to a
  field the agreement does not hold is refused with the reason, and the value asked for is not kept.

The register is kept by the record layer (:mod:`dpup_eval.rights.registers`): one SQLite file created
with owner-only permissions, or a PostgreSQL database given a URL. It holds the
provider's own records, so it may hold values; the audit log never does (only request numbers and counts).
:mod:`dpup_eval.rights.access_pack` gathers everything held about a family, field by field with the agreement's
explanations, and writes an adult and a child page for each person covered.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Callable, Mapping, Sequence
from datetime import UTC, date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal, TypeVar

import sqlalchemy as sa
from pydantic import BaseModel

from dpup_eval.agreement.contract import Agreement, Contract
from dpup_eval.agreement.field_values import text_problem
from dpup_eval.audit import AuditLog, configured_actor, default_audit_path, fingerprint_file, record_use
from dpup_eval.errors import DpupEvalError
from dpup_eval.paths import dpup_home
from dpup_eval.records import inserted_id
from dpup_eval.rights.registers import (
    CORRECTION_TABLE,
    REQUEST_TABLE,
    REQUESTS,
    VERSION_TABLE,
    open_register,
    target_of,
)
from dpup_eval.rights.workdays import (
    ACCESS_REQUEST_WORKING_DAYS,
    TRANSFER_WORKING_DAYS,
    add_working_days,
    working_days_between,
)

__all__ = [
    "KeyMap",
    "Register",
    "RequestError",
    "RequestRecord",
    "Recipient",
    "CorrectionResult",
    "default_register_path",
]

if TYPE_CHECKING:
    from sqlalchemy.engine import Connection

T = TypeVar("T")
RequestKind = Literal["access", "correction"]
Outcome = Literal["applied", "statement", "refused"]
KEY_MAP_COLUMNS = ("provider_family_ref", "purpose", "family_ref")

class RequestError(DpupEvalError):
    """A request step that cannot be done (unknown request number, already answered, bad key map...)."""


def default_register_path() -> Path:
    """``requests.sqlite`` in the workbench's folder (see `dpup_eval.paths.dpup_home`)."""
    return dpup_home() / "requests.sqlite"


class RequestRecord(BaseModel):
    """One logged request and its deadlines."""

    id: int
    kind: RequestKind
    family_ref: str
    received: date
    due: date
    transfer_due: date
    covers: list[str]
    known: bool
    status: Literal["open", "answered"]
    answered_on: date | None = None
    answer_note: str | None = None
    transferred_to: str | None = None
    transferred_on: date | None = None

    def days_left(self, today: date | None = None) -> int:
        """Working days from ``today`` to the due date; negative when overdue."""
        return working_days_between(today or date.today(), self.due)


class Recipient(BaseModel):
    """Someone who received a value: the part of the agency it was sent to, or a user in the audit log."""

    who: str
    role: str
    how: str
    when: str
    fields: list[str] = []


class CorrectionResult(BaseModel):
    """What happened to a correction request, and who must be told."""

    id: int
    outcome: Outcome
    reason: str
    purpose: str
    field: str
    old_value: str | None = None
    new_value: str | None = None
    statement: str | None = None
    recipients: list[Recipient] = []


class KeyMap:
    """CCSS's key: its own family reference -> the pseudonymous reference sent for each purpose."""

    def __init__(self, links: dict[str, dict[str, str]]):
        self.links = links

    @classmethod
    def load(cls, path: Path) -> KeyMap:
        try:
            with Path(path).open(encoding="utf-8", newline="") as handle:
                reader = csv.DictReader(handle)
                missing = [c for c in KEY_MAP_COLUMNS if c not in (reader.fieldnames or [])]
                if missing:
                    raise RequestError(f"{Path(path).name}: the key map lacks column(s) {', '.join(missing)}")
                links: dict[str, dict[str, str]] = {}
                for row in reader:
                    links.setdefault(row["provider_family_ref"].strip(), {})[row["purpose"].strip()] = row["family_ref"].strip()
        except OSError as exc:
            raise RequestError(f"cannot read the key map {Path(path).name}: {exc.strerror}") from None
        return cls(links)

    def refs(self, provider_family_ref: str) -> dict[str, str]:
        """``{purpose: agency reference}``; empty for an unknown family."""
        return dict(self.links.get(provider_family_ref.strip(), {}))


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


class Register:
    """The register at ``path`` (default :func:`default_register_path`): a SQLite file or a PostgreSQL URL."""

    def __init__(self, path: Path | str | None = None, audit: AuditLog | Path | None = None):
        self.path = target_of(path, default_register_path())
        self.audit = audit if isinstance(audit, AuditLog) or audit is None else AuditLog(audit)

    def _run(self, body: Callable[[Connection], T], *, write: bool = False) -> T:
        with open_register(self.path, REQUESTS) as db:
            return db.transaction(body, write=write)

    def _audit(self, action: str, **details: int | str) -> None:
        record_use(action, details=details, log=self.audit)  # request numbers and counts only

    # -- requests -------------------------------------------------------------------------------------
    def new_request(self, family_ref: str, received: date, *, kind: RequestKind = "access",
                    covers: Sequence[str] = (), key_map: KeyMap | None = None) -> RequestRecord:
        """Log a request received on ``received``; ``covers`` lists people (default: the whole family)."""
        family_ref = family_ref.strip()
        if not family_ref:
            raise RequestError("give the family's reference as CCSS knows it")
        known = bool(key_map.refs(family_ref)) if key_map is not None else True
        due = add_working_days(received, ACCESS_REQUEST_WORKING_DAYS)
        transfer_due = add_working_days(received, TRANSFER_WORKING_DAYS)
        row = {"kind": kind, "family_ref": family_ref, "received": received.isoformat(), "due": due.isoformat(),
               "transfer_due": transfer_due.isoformat(), "covers": json.dumps(list(covers)), "known": int(known),
               "status": "open", "logged_by": configured_actor()[0], "logged_at": _now()}
        request_id = self._run(lambda c: inserted_id(c.execute(REQUEST_TABLE.insert().values(**row))), write=True)
        self._audit(f"request.{kind}", request=request_id)
        return self.get(request_id)

    def get(self, request_id: int) -> RequestRecord:
        query = sa.select(REQUEST_TABLE).where(REQUEST_TABLE.c.id == request_id)
        row = self._run(lambda c: c.execute(query).mappings().first())
        if row is None:
            raise RequestError(f"there is no request number {request_id} in {self.path}")
        data = dict(row)
        data["covers"] = json.loads(data["covers"])
        return RequestRecord.model_validate(data)

    def list_requests(self, *, open_only: bool = True) -> list[RequestRecord]:
        """Requests, soonest due first (open ones only unless ``open_only`` is false)."""
        query = sa.select(REQUEST_TABLE.c.id).order_by(REQUEST_TABLE.c.due, REQUEST_TABLE.c.id)
        if open_only:
            query = query.where(REQUEST_TABLE.c.status == "open")
        ids = self._run(lambda c: c.execute(query).scalars().all())
        return [self.get(i) for i in ids]

    def answer(self, request_id: int, on: date, note: str = "") -> RequestRecord:
        """Mark a request answered on ``on``."""
        request = self.get(request_id)
        if request.status == "answered":
            raise RequestError(f"request {request_id} was already answered on {request.answered_on}")
        self._update(request_id, status="answered", answered_on=on.isoformat(), answer_note=note)
        self._audit("request.answer", request=request_id)
        return self.get(request_id)

    def transfer(self, request_id: int, to: str, on: date) -> RequestRecord:
        """Record that the request was transferred (s 43); the due date for that is ``transfer_due``."""
        self.get(request_id)
        self._update(request_id, transferred_to=to, transferred_on=on.isoformat())
        self._audit("request.transfer", request=request_id)
        return self.get(request_id)

    def _update(self, request_id: int, **values: str) -> None:
        statement = REQUEST_TABLE.update().where(REQUEST_TABLE.c.id == request_id).values(**values)
        self._run(lambda c: c.execute(statement), write=True)

    # -- record versions and corrections ---------------------------------------------------------------
    def versions(self, purpose: str, record_key: Mapping[str, str]) -> list[dict[str, Any]]:
        """The history of one record: version, values, who changed it, why, when (oldest first)."""
        v = VERSION_TABLE.c
        query = sa.select(VERSION_TABLE).where(v.purpose == purpose, v.record_key == _key_text(record_key)).order_by(v.version)
        rows = self._run(lambda c: c.execute(query).mappings().all())
        return [dict(r) | {"field_values": json.loads(r["field_values"])} for r in rows]

    def corrections(self, request_id: int | None = None) -> list[dict[str, Any]]:
        query = sa.select(CORRECTION_TABLE).order_by(CORRECTION_TABLE.c.id)
        if request_id is not None:
            query = query.where(CORRECTION_TABLE.c.request_id == request_id)
        rows = self._run(lambda c: c.execute(query).mappings().all())
        return [dict(r) | {"record_key": json.loads(r["record_key"])} for r in rows]

    def current_values(self, purpose: str, record_key: Mapping[str, str], as_sent: Mapping[str, str | None]) -> dict[str, str | None]:
        history = self.versions(purpose, record_key)
        return dict(history[-1]["field_values"]) if history else dict(as_sent)

    def correct(self, request_id: int, agreement: Agreement, key_map: KeyMap, sent: Mapping[str, Path], *,
                purpose: str, record: Mapping[str, str], field: str, new_value: str | None = None,
                decision: Literal["apply", "statement"] = "apply", statement: str | None = None,
                reason: str = "", by: str | None = None) -> CorrectionResult:
        """Decide a correction to one field of one record of the family that asked.

        ``record`` names the record by its key fields (a person's reference; for family-level data
        the family's own reference is filled in from the key map). ``decision="statement"`` attaches
        ``statement`` (the correction sought) without changing the record.
        """
        request = self.get(request_id)
        by = by or configured_actor()[0]
        refused = self._refusal(request, agreement, key_map, purpose, field)
        found = None if refused else _find_record(agreement.for_purpose(purpose), key_map.refs(request.family_ref)[purpose],
                                                  sent.get(purpose), record)
        if found is None and not refused:
            refused = (f"no {purpose.replace('_', ' ')} record of this family matches {_key_text(record)} in the "
                       "files sent to the agency")
        if refused:
            return self._store(request_id, purpose, {k: str(v) for k, v in record.items()}, field, None, None,
                               "refused", None, refused, by, recipients=[])
        contract = agreement.for_purpose(purpose)
        key, as_sent, source = found  # type: ignore[misc]
        current = self.current_values(purpose, key, as_sent)
        old = current.get(field)
        recipients = _recipients(contract, source, field, self.audit)
        if decision == "statement":
            text = (statement or "").strip()
            if not text:
                raise RequestError("a statement of the correction sought needs its text (--statement)")
            return self._store(request_id, purpose, key, field, old, new_value, "statement", text,
                               reason or "correction not made; the statement is kept with the record", by, recipients)
        # The rule every single value is judged by (the data checks' own), worded without the value: the
        # reason is kept in the register, and the value asked for is not.
        invalid = text_problem(new_value, contract.field(field), "the new value")
        if invalid:
            return self._store(request_id, purpose, key, field, old, None, "refused", None,
                               invalid + "; a statement of the correction sought can be attached instead", by, [])
        if not reason.strip():
            raise RequestError("say why the correction is made (--reason)")
        history = self.versions(purpose, key)
        rows = [] if history else [(1, as_sent, "as sent", "as sent to the agency")]
        rows.append((len(history) + 1 + (not history), current | {field: new_value}, by, reason))
        versions = [{"purpose": purpose, "record_key": _key_text(key), "version": v, "changed_by": who, "reason": why,
                     "field_values": json.dumps(values, ensure_ascii=False), "changed_at": _now()}
                    for v, values, who, why in rows]
        self._run(lambda c: c.execute(VERSION_TABLE.insert(), versions), write=True)
        record_use("correction.apply", purpose=purpose, fields=[field], details={"request": request_id}, log=self.audit)
        return self._store(request_id, purpose, key, field, old, new_value, "applied", None, reason, by, recipients)

    def _refusal(self, request: RequestRecord, agreement: Agreement, key_map: KeyMap, purpose: str, field: str) -> str:
        if purpose not in agreement.purposes:
            return f"the agreement shares no '{purpose}' information (its purposes: {', '.join(agreement.purposes)})"
        contract = agreement.for_purpose(purpose)
        if not contract.has_field(field):
            return (f"'{field}' is not held: the {purpose.replace('_', ' ')} agreement does not include it, so neither "
                    "the records sent to the agency nor the agency hold it")
        if contract.field(field).role == "pseudonymous_key":
            return f"'{field}' is a made-up reference, not information about the person; it cannot be corrected"
        if purpose not in key_map.refs(request.family_ref):
            return "the key map has no reference for this family and purpose, so no such record is held"
        return ""

    def _store(self, request_id: int, purpose: str, key: Mapping[str, str], field: str, old: str | None,
               new: str | None, outcome: Outcome, statement: str | None, reason: str, by: str,
               recipients: list[Recipient]) -> CorrectionResult:
        row = {"request_id": request_id, "purpose": purpose, "record_key": _key_text(key), "field": field,
               "old_value": old, "new_value": new, "outcome": outcome, "statement": statement, "reason": reason,
               "decided_by": by, "decided_at": _now()}
        new_id = self._run(lambda c: inserted_id(c.execute(CORRECTION_TABLE.insert().values(**row))), write=True)
        return CorrectionResult(id=int(new_id), outcome=outcome, reason=reason, purpose=purpose,
                                field=field, old_value=old, new_value=new, statement=statement, recipients=recipients)


def _key_text(key: Mapping[str, str]) -> str:
    return json.dumps(dict(sorted(key.items())), ensure_ascii=False)


def family_column(contract: Contract) -> str | None:
    """The pseudonymous key naming the family: the key field (by role) that is not unique per row."""
    keys = [f for f in contract.fields if f.role == "pseudonymous_key"]
    return next((f.name for f in keys if not f.unique), keys[0].name if keys else None)


def member_column(contract: Contract) -> str | None:
    """The unique pseudonymous key naming one person (None for family-level data)."""
    return next((f.name for f in contract.fields if f.role == "pseudonymous_key" and f.unique), None)


def read_family_rows(contract: Contract, path: Path | None, agency_ref: str) -> list[dict[str, str | None]]:
    """The rows of a sent file that carry the family's reference for this purpose."""
    import pandas as pd

    from dpup_eval.intake.reading import read_table

    column = family_column(contract)
    if path is None or column is None:
        return []
    frame = read_table(path, expected=contract.field_names).frame
    if column not in frame.columns:
        return []
    rows = frame[frame[column] == agency_ref]
    names = [n for n in contract.field_names if n in frame.columns]
    return [{n: (None if pd.isna(v) else str(v)) for n, v in zip(names, r, strict=True)}
            for r in rows[names].itertuples(index=False)]


def record_key_of(contract: Contract, row: Mapping[str, str | None]) -> dict[str, str]:
    keys = contract.key_fields or [n for n in (member_column(contract), family_column(contract)) if n]
    return {k: str(row.get(k) or "") for k in keys}


def _find_record(contract: Contract, agency_ref: str, path: Path | None,
                 record: Mapping[str, str]) -> tuple[dict[str, str], dict[str, str | None], Path] | None:
    wanted = {k: str(v).strip() for k, v in record.items()}
    family = family_column(contract)
    if family and family not in wanted:
        wanted[family] = agency_ref
    for row in read_family_rows(contract, path, agency_ref):
        if all(row.get(k) == v for k, v in wanted.items()):
            return record_key_of(contract, row), row, path  # type: ignore[return-value]
    return None


def _uses(source: Path, audit: AuditLog | None, field: str | None = None) -> list[Recipient]:
    """Each recorded use of the file ``source`` (of ``field``, when given), latest per person and action."""
    log = audit or AuditLog(default_audit_path())
    fingerprint = fingerprint_file(source)
    seen: dict[tuple[str, str, str], Recipient] = {}
    for entry in log.entries():
        if entry.dataset == fingerprint and (field is None or not entry.fields or field in entry.fields):
            seen[(entry.actor, entry.role, entry.action)] = Recipient(
                who=entry.actor, role=entry.role, how=entry.action, when=entry.at[:16].replace("T", " "),
                fields=list(entry.fields))
    return list(seen.values())


def _recipients(contract: Contract, source: Path, field: str, audit: AuditLog | None) -> list[Recipient]:
    """Who received the old value: the part of the agency it was sent to, then each recorded use of it."""
    sent = Recipient(who=contract.recipient, role="part of the agency", how=f"sent {contract.schedule} as agreed", when="")
    return [sent, *_uses(source, audit, field)]
