"""Co-designing the agreement in a workshop: views, proposals, declines, responses, versions, sign-offs.

Who may do what (why: the agreement is between the provider and the agency, and families shape it):
- anyone who joined gives a view on each field and purpose (needed / not sure / don't collect, with a
  reason in their own words) and proposes changes (drop, coarsen, move, reword, add a "not used for");
- only someone on the provider side **declines** a field, and only the agency side answers a decline;
- a proposal is accepted when both sides' latest answers accept it (the side that proposed it counts as
  accepting it); accepted proposals on the latest version make the next version
  (:func:`dpup_eval.agreement.revision.revise`: edited, version bumped, validated, summarised);
- a version is agreed when a named role on each side has signed it, with the date; only an agreed
  version is put into the programme folder (:func:`~dpup_eval.agreement.revision.write_version`).

Everything is inserted, never updated: the latest view or answer counts and the history stays.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any

import sqlalchemy as sa
import yaml

from dpup_eval.agreement.editing import apply_edit
from dpup_eval.agreement.revision import Edit, read_texts, revise, write_version
from dpup_eval.errors import DpupEvalError
from dpup_eval.records import inserted_id, migrate
from dpup_eval.workshop.agreement_tables import (
    AGREEMENT_SCHEMA,
    AGREEMENT_VIEWS,
    MAX_TEXT,
    PROPOSAL_KINDS,
    PROPOSALS,
    RESPONSES,
    RESPONSES_ALLOWED,
    SIDES,
    SIGNOFFS,
    VERSIONS,
    VIEWS,
)
from dpup_eval.workshop.records import WorkshopError, check_choice, check_text
from dpup_eval.workshop.store import WorkshopStore
from dpup_eval.workshop.tables import table

__all__ = ["AgreementProposal", "AgreementRecord", "AgreementVersion", "AgreementView", "SignOff"]


@dataclass(frozen=True)
class AgreementVersion:
    id: int
    workshop_id: int
    number: int
    contracts: dict[str, str]  # file name -> YAML text
    based_on: int | None
    summary: tuple[str, ...]
    made_by: int | None
    made_at: datetime

    def versions(self) -> dict[str, str]:
        """Each purpose's contract version: ``{"evaluation": "2.0.0", ...}``."""
        out = {}
        for text in self.contracts.values():
            doc = yaml.safe_load(text) or {}
            purpose = next((c.get("value") for c in doc.get("customProperties") or []
                            if c.get("property") == "purpose"), "")
            out[purpose] = str(doc.get("version", ""))
        return out


@dataclass(frozen=True)
class AgreementView:
    id: int
    version_id: int
    participant_id: int
    purpose: str
    field: str | None
    view: str
    reason: str
    given_at: datetime


@dataclass(frozen=True)
class AgreementProposal:
    id: int
    version_id: int
    participant_id: int
    kind: str
    purpose: str
    field: str | None
    detail: dict[str, Any]
    reason: str
    proposed_at: datetime
    answers: dict[str, str]  # side -> the side's latest answer (the proposing side counts as accepted)

    @property
    def accepted(self) -> bool:
        return all(self.answers.get(side) == "accepted" for side in SIDES)

    def edit(self) -> Edit:
        """The change to the contracts; a decline that is accepted drops the field."""
        kind = "drop" if self.kind == "decline" else self.kind
        return Edit.of(kind, self.purpose, self.field, **self.detail)


@dataclass(frozen=True)
class SignOff:
    id: int
    version_id: int
    participant_id: int
    side: str
    signer_role: str
    signed_on: date
    signed_at: datetime


class AgreementRecord:
    """The agreement's co-design record for a programme's workshops, kept in the workshop record."""

    def __init__(self, store: WorkshopStore, programme_folder: str | Path):
        self.store = store
        self.db = store.db
        self.folder = Path(programme_folder)
        migrate(self.db, AGREEMENT_SCHEMA)

    # --- helpers ---------------------------------------------------------------------------

    def _side(self, conn: sa.Connection, workshop_id: int, participant_id: int) -> str | None:
        """The participant's role group ('provider', 'agency', 'family'...), checking they joined this workshop."""
        parts, roles = table("participants"), table("workshop_roles")
        row = conn.execute(
            sa.select(parts.c.workshop_id, roles.c.role_group)
            .join(roles, (roles.c.workshop_id == parts.c.workshop_id) & (roles.c.role_id == parts.c.role))
            .where(parts.c.id == participant_id)
        ).first()
        if row is None or row.workshop_id != workshop_id:
            raise WorkshopError(f"Participant {participant_id} has not joined this workshop.")
        return row.role_group

    def _version_row(self, conn: sa.Connection, version_id: int) -> sa.RowMapping:
        row = conn.execute(sa.select(VERSIONS).where(VERSIONS.c.id == version_id)).mappings().first()
        if row is None:
            raise WorkshopError(f"There is no agreement version {version_id}.")
        return row

    def _require_latest(self, conn: sa.Connection, row: sa.RowMapping, doing: str) -> None:
        latest = conn.execute(sa.select(sa.func.max(VERSIONS.c.number))
                              .where(VERSIONS.c.workshop_id == row["workshop_id"])).scalar()
        if row["number"] != latest:
            raise WorkshopError(f"Version {row['number']} has been replaced by version {latest}; {doing} "
                                "the latest version.")

    def _insert(self, conn: sa.Connection, target: sa.Table, values: dict[str, Any], workshop_id: int) -> int:
        new_id = inserted_id(conn.execute(target.insert().values(**values)))
        WorkshopStore._bump(conn, workshop_id)  # polling pages redraw
        return new_id

    @staticmethod
    def _version(row: sa.RowMapping) -> AgreementVersion:
        return AgreementVersion(row["id"], row["workshop_id"], row["number"], json.loads(row["contracts"]),
                                row["based_on"], tuple(json.loads(row["summary"])), row["made_by"],
                                datetime.fromisoformat(row["made_at"]))

    # --- versions --------------------------------------------------------------------------

    def start(self, workshop_id: int) -> AgreementVersion:
        """The latest version under discussion; the first time, the programme folder's contracts as version 1."""
        texts = json.dumps(read_texts(self.folder), ensure_ascii=False, sort_keys=True)

        def body(conn: sa.Connection) -> sa.RowMapping:
            latest = conn.execute(sa.select(VERSIONS).where(VERSIONS.c.workshop_id == workshop_id)
                                  .order_by(VERSIONS.c.number.desc()).limit(1)).mappings().first()
            if latest is not None:
                return latest
            self.store._load_workshop(conn, workshop_id)
            new_id = self._insert(conn, VERSIONS, {"workshop_id": workshop_id, "number": 1, "contracts": texts,
                                                   "based_on": None, "summary": "[]", "made_by": None,
                                                   "made_at": self.store._now()}, workshop_id)
            return self._version_row(conn, new_id)

        return self._version(self.db.write(body))

    def versions(self, workshop_id: int) -> list[AgreementVersion]:
        rows = self.db.read(lambda c: c.execute(sa.select(VERSIONS).where(VERSIONS.c.workshop_id == workshop_id)
                                                .order_by(VERSIONS.c.number)).mappings().all())
        return [self._version(r) for r in rows]

    def version(self, version_id: int) -> AgreementVersion:
        return self._version(self.db.read(lambda c: self._version_row(c, version_id)))

    def make_version(self, version_id: int, participant_id: int) -> AgreementVersion:
        """The next version from every accepted proposal on ``version_id`` (which must be the latest)."""
        current = self.version(version_id)
        accepted = [p for p in self.proposals(version_id) if p.accepted]
        if not accepted:
            raise WorkshopError("No proposal has been accepted by both sides yet: nothing to make a new version from.")
        try:
            revision = revise(current.contracts, [p.edit() for p in accepted], self.folder)
        except DpupEvalError as error:  # e.g. the period field dropped, or two proposals on one field
            raise WorkshopError("The accepted proposals do not make an agreement the workbench can use: "
                                f"{error} Answer one of them 'not accepted', or propose something else.") from None
        summary = json.dumps([c.summary for c in revision.diff.changes], ensure_ascii=False)
        contracts = json.dumps(revision.texts, ensure_ascii=False, sort_keys=True)

        def body(conn: sa.Connection) -> sa.RowMapping:
            row = self._version_row(conn, version_id)
            self._require_latest(conn, row, "make a new version from")
            self._side(conn, row["workshop_id"], participant_id)
            new_id = self._insert(conn, VERSIONS, {
                "workshop_id": row["workshop_id"], "number": row["number"] + 1, "contracts": contracts,
                "based_on": version_id, "summary": summary, "made_by": participant_id, "made_at": self.store._now(),
            }, row["workshop_id"])
            return self._version_row(conn, new_id)

        return self._version(self.db.write(body))

    # --- views -----------------------------------------------------------------------------

    def give_view(self, version_id: int, participant_id: int, purpose: str, field: str | None, view: str,
                  reason: str = "") -> AgreementView:
        """A participant's view on a field (or, with ``field`` None, on a purpose as a whole)."""
        check_choice(view, "A view", AGREEMENT_VIEWS)
        reason = check_text(reason, "Your reason", max_len=MAX_TEXT, strip=True)
        self._check_subject(version_id, purpose, field)

        def body(conn: sa.Connection) -> int:
            row = self._version_row(conn, version_id)
            self._side(conn, row["workshop_id"], participant_id)
            return self._insert(conn, VIEWS, {"version_id": version_id, "participant_id": participant_id,
                                              "purpose": purpose, "field": field, "view": view, "reason": reason,
                                              "given_at": self.store._now()}, row["workshop_id"])

        new_id = self.db.write(body)
        return next(v for v in self.view_history(version_id) if v.id == new_id)

    def view_history(self, version_id: int) -> list[AgreementView]:
        rows = self.db.read(lambda c: c.execute(sa.select(VIEWS).where(VIEWS.c.version_id == version_id)
                                                .order_by(VIEWS.c.id)).mappings().all())
        return [AgreementView(**{**r, "given_at": datetime.fromisoformat(r["given_at"])}) for r in rows]

    def views(self, version_id: int) -> list[AgreementView]:
        """Each participant's latest view on each subject."""
        latest: dict[tuple[int, str, str | None], AgreementView] = {}
        for v in self.view_history(version_id):
            latest[(v.participant_id, v.purpose, v.field)] = v
        return sorted(latest.values(), key=lambda v: v.id)

    def _check_subject(self, version_id: int, purpose: str, field: str | None) -> None:
        docs = self._docs(self.version(version_id))
        if purpose not in docs:
            raise WorkshopError(f"'{purpose}' is not a purpose of this agreement ({', '.join(sorted(docs))}).")
        if field is not None and not any(p.get("name") == field for p in docs[purpose]["schema"][0]["properties"]):
            raise WorkshopError(f"'{field}' is not a field of the {purpose.replace('_', ' ')} contract.")

    @staticmethod
    def _docs(version: AgreementVersion) -> dict[str, dict[str, Any]]:
        docs = {}
        for text in version.contracts.values():
            doc = yaml.safe_load(text)
            docs[next(c["value"] for c in doc["customProperties"] if c["property"] == "purpose")] = doc
        return docs

    # --- proposals, declines, answers ----------------------------------------------------------

    def propose(self, version_id: int, participant_id: int, kind: str, purpose: str, field: str | None,
                detail: dict[str, Any] | None = None, reason: str = "") -> AgreementProposal:
        """A proposed change (or, kind ``decline``, the provider declining a field); checked to be makeable now."""
        check_choice(kind, "A proposal", PROPOSAL_KINDS)
        reason = check_text(reason, "Your reason", max_len=MAX_TEXT, strip=True)
        detail = dict(detail or {})
        self._check_subject(version_id, purpose, field)
        if kind == "decline" and field is None:
            raise WorkshopError("A decline names the field the provider will not collect.")
        try:
            apply_edit(self._docs(self.version(version_id)), "drop" if kind == "decline" else kind, purpose, field,
                       detail)
        except WorkshopError:
            raise
        except Exception as exc:  # an EditError (or a detail of the wrong shape) as a participant's message
            raise WorkshopError(str(exc)) from None
        detail_text = json.dumps(detail, ensure_ascii=False, sort_keys=True)

        def body(conn: sa.Connection) -> int:
            row = self._version_row(conn, version_id)
            self._require_latest(conn, row, "propose changes to")
            side = self._side(conn, row["workshop_id"], participant_id)
            if kind == "decline" and side != "provider":
                raise WorkshopError("Only someone on the provider's side can decline a field.")
            return self._insert(conn, PROPOSALS, {
                "version_id": version_id, "participant_id": participant_id, "kind": kind, "purpose": purpose,
                "field": field, "detail": detail_text, "reason": reason, "proposed_at": self.store._now(),
            }, row["workshop_id"])

        new_id = self.db.write(body)
        return next(p for p in self.proposals(version_id) if p.id == new_id)

    def respond(self, proposal_id: int, participant_id: int, response: str, note: str = "") -> None:
        """A side's answer to a proposal (only the agency answers a decline); the latest answer counts."""
        check_choice(response, "An answer", RESPONSES_ALLOWED)
        note = check_text(note, "Your note", max_len=MAX_TEXT, strip=True)

        def body(conn: sa.Connection) -> int:
            proposal = conn.execute(sa.select(PROPOSALS).where(PROPOSALS.c.id == proposal_id)).mappings().first()
            if proposal is None:
                raise WorkshopError(f"There is no proposal {proposal_id}.")
            row = self._version_row(conn, proposal["version_id"])
            self._require_latest(conn, row, "answer proposals on")
            side = self._side(conn, row["workshop_id"], participant_id)
            if side not in SIDES:
                raise WorkshopError("Proposals are answered by the provider's side or the agency's side; "
                                    "give your view instead.")
            if proposal["kind"] == "decline" and side != "agency":
                raise WorkshopError("A decline is answered by the agency.")
            return self._insert(conn, RESPONSES, {"proposal_id": proposal_id, "participant_id": participant_id,
                                                  "side": side, "response": response, "note": note,
                                                  "responded_at": self.store._now()}, row["workshop_id"])

        self.db.write(body)

    def responses(self, proposal_id: int) -> list[dict[str, Any]]:
        """Every answer to a proposal, oldest first (history)."""
        rows = self.db.read(lambda c: c.execute(sa.select(RESPONSES).where(RESPONSES.c.proposal_id == proposal_id)
                                                .order_by(RESPONSES.c.id)).mappings().all())
        return [dict(r) for r in rows]

    def proposals(self, version_id: int) -> list[AgreementProposal]:
        def body(conn: sa.Connection) -> list[AgreementProposal]:
            row = self._version_row(conn, version_id)
            out = []
            for p in conn.execute(sa.select(PROPOSALS).where(PROPOSALS.c.version_id == version_id)
                                  .order_by(PROPOSALS.c.id)).mappings().all():
                answers: dict[str, str] = {}
                side = self._side(conn, row["workshop_id"], p["participant_id"])
                if side in SIDES:
                    answers[side] = "accepted"
                for r in conn.execute(sa.select(RESPONSES).where(RESPONSES.c.proposal_id == p["id"])
                                      .order_by(RESPONSES.c.id)).mappings():
                    answers[r["side"]] = r["response"]
                out.append(AgreementProposal(
                    p["id"], p["version_id"], p["participant_id"], p["kind"], p["purpose"], p["field"],
                    json.loads(p["detail"]), p["reason"], datetime.fromisoformat(p["proposed_at"]), answers))
            return out

        return self.db.read(body)

    # --- sign-offs -------------------------------------------------------------------------

    def sign(self, version_id: int, participant_id: int, signer_role: str, signed_on: date) -> SignOff:
        """A named role signs the latest version for its side (provider or agency), on a date."""
        signer_role = check_text(signer_role, "The role signing", max_len=80, min_len=1, strip=True)
        if not isinstance(signed_on, date):
            raise WorkshopError("Give the date of signing.")

        def body(conn: sa.Connection) -> int:
            row = self._version_row(conn, version_id)
            self._require_latest(conn, row, "sign")
            side = self._side(conn, row["workshop_id"], participant_id)
            if side not in SIDES:
                raise WorkshopError("A version is signed by the provider's side and the agency's side.")
            return self._insert(conn, SIGNOFFS, {"version_id": version_id, "participant_id": participant_id,
                                                 "side": side, "signer_role": signer_role,
                                                 "signed_on": signed_on.isoformat(), "signed_at": self.store._now()},
                                row["workshop_id"])

        self.db.write(body)
        return self.signoffs(version_id)[-1]

    def signoffs(self, version_id: int) -> list[SignOff]:
        rows = self.db.read(lambda c: c.execute(sa.select(SIGNOFFS).where(SIGNOFFS.c.version_id == version_id)
                                                .order_by(SIGNOFFS.c.id)).mappings().all())
        return [SignOff(r["id"], r["version_id"], r["participant_id"], r["side"], r["signer_role"],
                        date.fromisoformat(r["signed_on"]), datetime.fromisoformat(r["signed_at"])) for r in rows]

    def is_agreed(self, version_id: int) -> bool:
        """Whether both sides have signed the version."""
        return {s.side for s in self.signoffs(version_id)} >= set(SIDES)

    def adopt(self, version_id: int) -> list[Path]:
        """Put an agreed version into the programme folder (replaced files kept under ``history/``)."""
        if not self.is_agreed(version_id):
            raise WorkshopError("Both sides must sign this version before it replaces the agreement in use.")
        try:
            return write_version(self.folder, self.version(version_id).contracts)
        except DpupEvalError as error:  # the programme's settings changed since: nothing was written
            raise WorkshopError(f"The signed version could not be put in place: {error}") from None
