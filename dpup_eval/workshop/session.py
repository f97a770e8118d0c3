"""What a workshop page's kernel holds: the checked data, the agreement, the indicators and the record.

The workshop server (:mod:`dpup_eval.workshop.server`) checks the data against the agreement *once*,
before any page opens, and writes the accepted rows to a Parquet file; it tells each page's kernel
where things are through environment variables (:data:`ENV`). A kernel therefore never imports
Great Expectations and never sees a quarantined row: :func:`read_accepted` reads the Parquet file, and
:func:`open_session` puts everything a page needs into one :class:`WorkshopSession`.

Row-level data stays in the kernel. What a page sends to the browser is built only from
:class:`~dpup_eval.findings.evaluation.Findings` (disclosure control applied) and from the workshop record.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

import pandas as pd

from dpup_eval.agreement.contract import Contract
from dpup_eval.agreement.programme import ParticipantRole, Programme
from dpup_eval.errors import DpupEvalError
from dpup_eval.findings.evaluation import Findings, evaluate
from dpup_eval.findings.guard import DisclosureGuard
from dpup_eval.findings.indicators import Definition, Indicator, IndicatorSet, load_indicators
from dpup_eval.workshop import Participant, Proposal, Workshop, WorkshopStore
from dpup_eval.workshop.kernel_settings import ENV, KernelSettings

__all__ = [
    "ENV",
    "WorkshopSession",
    "create_workshop",
    "ensure_workshop",
    "indicator_for_proposal",
    "measure_choices",
    "open_session",
    "read_accepted",
]

#: Field roles never written to the workshop's data file: nobody's reference, nobody's own words.
DROPPED_ROLES = ("pseudonymous_key", "free_text")


#: The last accepted file read in this process, and when it was written (see :func:`read_accepted`).
_ACCEPTED: dict[tuple[str, int, int], pd.DataFrame] = {}


def read_accepted(path: Path | str) -> pd.DataFrame:
    """The accepted rows the server wrote (already checked against the agreement; no identifiers).

    The frame read last is kept while its file is unchanged: the fork server (``kernel_forks.py``) reads
    it once and every page's kernel forked from it shares that frame's memory instead of reading its own.
    Pages never change it in place (evaluation works on selections and copies)."""
    path = Path(path)
    if not path.is_file():
        raise DpupEvalError(
            f"The workshop data file {path} is missing: start the workshop with `dpup-eval workshop`."
        )
    stat = path.stat()
    key = (str(path.resolve()), stat.st_mtime_ns, stat.st_size)
    if key not in _ACCEPTED:
        _ACCEPTED.clear()
        _ACCEPTED[key] = pd.read_parquet(path)
    return _ACCEPTED[key]


def new_measure_id(proposal_id: int) -> str:
    return f"new-{proposal_id}"


def measure_choices(indicators: IndicatorSet, proposals: list[Proposal]) -> list[tuple[str, str]]:
    """Every measure the room can discuss or decide, as (name, id): the indicators, then each new
    measure suggested (by the name it was given)."""
    options = [(i.name, i.id) for i in indicators.indicators]
    options += [
        (p.definition.get("indicator", {}).get("name", p.label) + f" (new, suggestion {p.id})", new_measure_id(p.id))
        for p in proposals if p.indicator_id is None
    ]  # fmt: skip
    return options


def indicator_for_proposal(indicators: IndicatorSet, proposal: Proposal) -> Indicator:
    """The indicator a proposal describes, with the proposal's definition as its only definition.

    A proposal's ``definition`` holds ``definition`` (a :class:`Definition` as a dict), optionally
    ``target`` (its proposed target) and, for a brand-new measure, ``indicator`` (name, kind, people...).
    """
    body = proposal.definition
    words = {
        k: _chart_safe(v)
        for k, v in body["definition"].items()
        if k in ("label", "phrase", "proposed_by") and v
    }
    definition = Definition.model_validate({**body["definition"], **words})
    if proposal.indicator_id is None:
        about = {k: _chart_safe(v) if isinstance(v, str) else v for k, v in body["indicator"].items()}
        base = Indicator.model_validate(
            {**about, "id": new_measure_id(proposal.id), "definitions": [definition]}
        )
    else:
        base = indicators.indicator(proposal.indicator_id).model_copy(update={"definitions": [definition]})
    if body.get("target") is not None:
        base = base.model_copy(update={"target": float(body["target"])})
    return base


def _chart_safe(text: str) -> str:
    """Participants' words as they go into charts: plotly reads a few tags in text, so none get there."""
    return text.replace("<", "‹").replace(">", "›")


@dataclass
class WorkshopSession:
    """One page's view of the workshop: data (kept in the kernel), agreement, indicators and record."""

    data: pd.DataFrame
    programme: Programme
    contract: Contract
    indicators: IndicatorSet
    store: WorkshopStore
    workshop: Workshop
    folder: Path
    check_summary: dict[str, Any] = field(default_factory=dict)
    participant: Participant | None = None
    facilitator_code: str | None = None  # None: anyone may record decisions (a notebook, not a workshop)
    guard: DisclosureGuard | None = None  # what the programme has released (made on first use)

    def disclosure(self) -> DisclosureGuard:
        if self.guard is None:
            self.guard = DisclosureGuard.for_programme(self.contract)
        return self.guard

    @property
    def period(self) -> str | None:
        return self.programme.period_field(self.contract.purpose)

    @property
    def period_word(self) -> str:
        """'month', 'quarter' or 'year' as the programme declares ('period' when it has none)."""
        return self.programme.settings.periods.word

    @property
    def roles(self) -> tuple[ParticipantRole, ...]:
        """How people may take part: the workshop's own roles, as the record holds them.

        They were the programme's settings when the workshop was created; a workshop keeps its roles even
        if the settings change later (its participants joined with them).
        """
        return tuple(ParticipantRole.model_validate({"id": r.id, "name": r.name, "group": r.group})
                     for r in self.workshop.roles)

    def role_name(self, role_id: str) -> str:
        """The plain words for a participant's role (the id itself for a role the settings no longer list)."""
        return next((r.name for r in self.roles if r.id == role_id), role_id)

    def evaluate_overall(self, indicator: Indicator) -> Findings:
        """The indicator for everyone over all periods (what the measures board shows), recorded as
        released: a page shows it."""
        findings = evaluate(self.data, indicator, by=[], contract=self.contract, guard=self.disclosure())
        self.release(findings, "Success measures page")
        return findings

    def evaluate_full(self, indicators: list[Indicator]) -> Findings:
        """By period and by each indicator's groupings (what the findings page shows), recorded."""
        findings = evaluate(
            self.data, indicators, period=self.period, contract=self.contract, guard=self.disclosure(),
            period_grain=self.programme.grain,  # type: ignore[arg-type]
        )
        self.release(findings, "Findings page")
        return findings

    def release(self, findings: Findings, channel: str) -> None:
        """Record findings leaving the workbench in the programme's release ledger."""
        self.disclosure().record(findings, channel, workshop=self.workshop.name)

    def proposal_indicator(self, proposal: Proposal) -> Indicator:
        return indicator_for_proposal(self.indicators, proposal)

    def agreed_indicators(self) -> list[tuple[Indicator, bool]]:
        """Each measure with whether the room has agreed it: agreed definitions first, then the rest.

        A decision that kept the existing definition (no proposals) agrees the indicator as written; a
        decision choosing proposals agrees their definitions (alternatives side by side).
        """
        proposals = {p.id: p for p in self.store.proposals(self.workshop.id)}
        agreed: list[tuple[Indicator, bool]] = []
        decided: set[str] = set()
        for decision in self.store.decisions(self.workshop.id):
            decided.add(decision.indicator_id)
            chosen = [proposals[i] for i in decision.proposal_ids if i in proposals]
            if not chosen:
                try:
                    agreed.append((self.indicators.indicator(decision.indicator_id), True))
                except KeyError:
                    continue
                continue
            built = [self.proposal_indicator(p) for p in chosen]
            first = built[0]
            definitions = [
                d.model_copy(update={"id": f"p{p.id}"})
                for p, ind in zip(chosen, built, strict=True)
                for d in ind.definitions
            ]
            agreed.append(
                (first.model_copy(update={"id": decision.indicator_id, "definitions": definitions}), True)
            )
        agreed += [(i, False) for i in self.indicators.indicators if i.id not in decided]
        return agreed


def open_session(environ: Mapping[str, str] | None = None) -> WorkshopSession:
    """Everything a page needs, from the settings the workshop server set (:class:`KernelSettings`)."""
    settings = KernelSettings.from_env(environ)
    programme = Programme.load(settings.programme)
    contract = programme.for_purpose(settings.purpose)
    indicators = load_indicators(settings.indicators, contract)
    store = WorkshopStore(settings.db)
    chosen = settings.workshop
    workshop = store.workshop(chosen) if chosen is not None else store.current_workshop()
    if workshop is None:
        raise DpupEvalError("The workshop record has no workshop yet: start it with `dpup-eval workshop`.")
    summary: dict[str, Any] = {}
    report = settings.report
    if report and Path(report).is_file():
        summary = json.loads(Path(report).read_text(encoding="utf-8")).get("summary", {})
    return WorkshopSession(
        data=read_accepted(settings.data),
        programme=programme,
        contract=contract,
        indicators=indicators,
        store=store,
        workshop=workshop,
        folder=Path(settings.folder),
        check_summary=summary,
        facilitator_code=settings.facilitator,
    )


def create_workshop(store: WorkshopStore, name: str, data_description: str, programme: Programme) -> Workshop:
    """A new workshop in the record, with the participant roles the programme's settings list."""
    roles = [role.model_dump() for role in programme.roles]
    return store.create_workshop(name, date.today(), data_description, programme.folder.resolve(), roles=roles)


def ensure_workshop(store: WorkshopStore, name: str, data_description: str, programme: Programme) -> Workshop:
    """This programme's latest workshop in the record, created on first use.

    Keyed by the programme folder, so a record shared by several programmes (PostgreSQL) never resumes
    another programme's workshop.
    """
    return store.current_workshop(programme.folder.resolve()) or create_workshop(store, name, data_description, programme)
