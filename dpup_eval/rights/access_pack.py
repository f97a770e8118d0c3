"""An access pack: everything held about a family, field by field, in adult and (with children) child versions.

Why: CCSS "has a policy of giving families copies of any written work or records about them in both
adult and child versions". :func:`compile_access` gathers, for one logged request, CCSS's own records and
what was sent to the agency (the files sent) plus who used which fields (the audit log), each field with
the agreement's plain explanation; :func:`write_access_pack` writes one adult and one child page (HTML,
printable) for each person the request covers; the child page only where children take part in the programme. The register itself is :mod:`dpup_eval.rights.requests`.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Literal

from pydantic import BaseModel

from dpup_eval.agreement.contract import Agreement, Contract
from dpup_eval.agreement.programme import Programme
from dpup_eval.rights.requests import (
    KeyMap,
    Recipient,
    Register,
    RequestRecord,
    _uses,
    member_column,
    read_family_rows,
    record_key_of,
)
from dpup_eval.rights.stories.family import FamilyStory, family_stories
from dpup_eval.rights.stories.register import StoryRegister
from dpup_eval.rights.stories.settings import STORIES_FILE, StorySettings
from dpup_eval.rights.uses import UseRegister

__all__ = ["AccessPack", "FieldView", "PersonPage", "RecordView", "compile_access", "write_access_pack"]


class FieldView(BaseModel):
    """One field of one record as a family reads it: value, plain label, why, and its corrections."""

    name: str
    plain_name: str
    value: str | None
    label: str
    why: str
    adult_description: str
    child_description: str
    history: list[str] = []


class RecordView(BaseModel):
    """One record held about a person or their whānau, for one purpose, and who used it."""

    purpose: str
    recipient: str
    recipient_plain: str
    whose: Literal["person", "family"]
    fields: list[FieldView]
    uses: list[Recipient]


class PersonPage(BaseModel):
    """What one person covered by the request gets (adult and child versions are rendered from it)."""

    number: int
    label: str
    records: list[RecordView]


class AccessPack(BaseModel):
    """Everything held about a family, compiled for one access request."""

    request: RequestRecord
    provider: str
    programme: str
    language: str = "en-NZ"
    children: bool = True  # whether children take part: then each person also gets a child version
    found: bool
    references: dict[str, str]
    people: list[PersonPage]
    stories: list[FamilyStory] = []  # the family's own stories, their choices and where each went


def _field_views(register: Register, contract: Contract, row: Mapping[str, str | None]) -> list[FieldView]:
    key = record_key_of(contract, row)
    current = register.current_values(contract.purpose, key, row)
    notes: dict[str, list[str]] = {}
    for c in register.corrections():
        if c["purpose"] == contract.purpose and c["record_key"] == key and c["outcome"] != "refused":
            when = str(c["decided_at"])[:10]
            text = (f"Corrected on {when} by {c['decided_by']}: it was {c['old_value'] or 'blank'}. Why: {c['reason']}"
                    if c["outcome"] == "applied" else
                    f"On {when} a correction was asked for but not made. The statement kept with it: {c['statement']}")
            notes.setdefault(str(c["field"]), []).append(text)
    views = []
    for f in contract.fields:
        value = current.get(f.name)
        if value is None or value == "":
            label = "(nothing recorded)"
        elif f.multi_value_separator:
            label = ", ".join(f.label(v.strip()) for v in value.split(f.multi_value_separator))
        else:
            label = f.label(value)
        views.append(FieldView(name=f.name, plain_name=f.plain_name, value=value, label=label, why=f.why,
                               adult_description=f.adult_description, child_description=f.child_description,
                               history=notes.get(f.name, [])))
    return views


def compile_access(register: Register, request_id: int, agreement: Agreement, key_map: KeyMap,
                   sent: Mapping[str, Path], stories: StoryRegister | None = None,
                   uses: UseRegister | None = None) -> AccessPack:
    """Everything held about the request's family: the records CCSS sent (and keeps), who used them,
    and (given the story register) the family's own stories and, from the use register, where they went.

    ``sent`` maps each purpose to the file sent to the agency. An unknown family gives ``found=False``
    and no records at all.
    """
    request = register.get(request_id)
    refs = key_map.refs(request.family_ref)
    first = agreement.for_purpose(agreement.purposes[0])
    people: dict[str, list[RecordView]] = {}
    labels: dict[str, str] = {}
    family_records: list[RecordView] = []
    for purpose, agency_ref in sorted(refs.items()):
        if purpose not in agreement.purposes:
            continue
        contract = agreement.for_purpose(purpose)
        source = sent.get(purpose)
        used_by = _uses(source, register.audit) if source else []
        member = member_column(contract)
        for row in read_family_rows(contract, source, agency_ref):
            view = RecordView(purpose=purpose, recipient=contract.recipient, recipient_plain=contract.recipient_plain,
                              whose="person" if member else "family", fields=_field_views(register, contract, row),
                              uses=used_by)
            if member is None:
                family_records.append(view)
                continue
            ref = str(row.get(member))
            if request.covers and ref not in request.covers:
                continue
            people.setdefault(ref, []).append(view)
            labels.setdefault(ref, person_label(contract, row))
    pages = [PersonPage(number=i, label=labels[ref], records=people[ref] + family_records)
             for i, ref in enumerate(people, start=1)]
    if not pages and family_records:
        pages = [PersonPage(number=1, label="Your whānau", records=family_records)]
    told = _stories(stories, uses, request.family_ref, agreement) if stories is not None else []
    found = bool(refs) or bool(told)
    register._audit("request.compile", request=request_id, people=len(pages),
                    records=sum(len(p.records) for p in pages), stories=len(told))
    pack = AccessPack(request=request, provider=first.provider, programme=first.programme, found=found,
                      references=refs if refs else {}, people=pages, stories=told)
    if isinstance(agreement, Programme):  # the programme's language, and whether children take part
        pack = pack.model_copy(update={"language": agreement.language, "children": agreement.children_take_part})
    return pack


def _stories(stories: StoryRegister, uses: UseRegister | None, family_ref: str, agreement: Agreement) -> list[FamilyStory]:
    first = agreement.for_purpose(agreement.purposes[0])
    evaluated = agreement.settings.workshop_purpose if isinstance(agreement, Programme) else None
    evaluators = agreement.contracts.get(evaluated or "evaluation", first).recipient_plain
    folder = agreement.where if agreement.where.is_dir() else agreement.where.parent
    settings = StorySettings.load(folder) if (folder / STORIES_FILE).is_file() else None
    return family_stories(stories, family_ref, settings, uses, provider=first.provider, evaluators=evaluators)


def person_label(contract: Contract, row: Mapping[str, str | None]) -> str:
    """How a page names the person it is about: their categories among the contract's quasi-identifiers.

    Why these: a quasi-identifier is, by its role, what tells people apart (in the demo: "Parent,
    25-34, Auckland"), and its values are agreed categories with plain labels, never free text.
    """
    parts = [
        f.label(str(row[f.name])) for f in contract.fields
        if f.role == "quasi_identifier" and f.allowed and not f.multi_value_separator and row.get(f.name)
    ]
    return ", ".join(parts) or "Person"


def write_access_pack(pack: AccessPack, outdir: Path) -> list[Path]:
    """An adult and a child page (standalone, printable HTML) for each person; one pair if nothing is held."""
    from dpup_eval.files import private_dir, write_text
    from dpup_eval.rights.notices import render_template

    outdir = private_dir(outdir)
    written = []
    people = pack.people or [PersonPage(number=1, label="", records=[])]
    for person in people:
        for audience in ("adult", "child") if pack.children else ("adult",):
            path = outdir / f"request-{pack.request.id}-person-{person.number}-{audience}.html"
            write_text(path, render_template("rights_access.html.j2", pack=pack, person=person, audience=audience))
            written.append(path)
    return written
