"""The agreement explained field by field, as HTML: what a provider, a parent and an agency advisor each need.

Per purpose: who receives it, how often, what it will not be used for and who will not see it. Per field:
its plain description, why it is needed, its role, whether it is identifying or a quasi-identifier, and which
measures use it ("not used by any measure" otherwise). Beside each: the room's views (counts, and reasons in
people's own words), the proposals with each side's answer, and the versions with their changes and
signatures. Only contract wording and what participants typed appear, every text escaped; never data.
"""

from __future__ import annotations

from collections import Counter
from html import escape

from dpup_eval.agreement.contract import Agreement, Contract, Field
from dpup_eval.agreement.diff import words
from dpup_eval.workshop.agreement_record import AgreementProposal, AgreementVersion, AgreementView, SignOff

__all__ = ["ROLE_WORDS", "VIEW_WORDS", "agreement_html", "identifying_words", "proposal_words", "versions_html"]

ROLE_WORDS = {
    "pseudonymous_key": "a made-up reference", "quasi_identifier": "describes people in groups",
    "demographic": "about who people are", "outcome": "what the programme hopes to change",
    "service_delivery": "what the service did", "programme_date": "a date in the programme",
    "period": "the period a record is about", "free_text": "people's own words",
}
VIEW_WORDS = {"needed": "Needed", "not_sure": "Not sure", "dont_collect": "Don't collect"}
ANSWER_WORDS = {"accepted": "accepted", "not_accepted": "not accepted", "discuss": "wants to discuss"}
KIND_WORDS = {"drop": "Drop", "coarsen": "Coarsen", "move": "Move", "reword": "Reword",
              "not_used_for": "Add a \"not used for\"", "decline": "The provider declines"}
NOT_USED = "not used by any measure"


def identifying_words(f: Field) -> str:
    if f.role == "pseudonymous_key":
        return "Identifies a record, not a person (a made-up reference; never shown in findings)"
    if f.role == "quasi_identifier":
        return "Quasi-identifier: with other such fields it could help pick someone out (groups are checked)"
    if f.role == "free_text":
        return "Could identify someone: checked for names and contact details before it is sent"
    return "Not identifying on its own"


def _list(items: list[str]) -> str:
    return "<ul>" + "".join(f"<li>{escape(i)}</li>" for i in items) + "</ul>"


def _views_cell(views: list[AgreementView], names: dict[int, str]) -> str:
    if not views:
        return "<td>No views yet</td>"
    counts = Counter(v.view for v in views)
    said = " · ".join(f"{VIEW_WORDS[k]} {counts.get(k, 0)}" for k in VIEW_WORDS)
    reasons = "".join(f"<li>{escape(VIEW_WORDS[v.view])}: {escape(v.reason)} "
                      f"<span class=\"dpup-who\">({escape(names.get(v.participant_id, 'someone'))})</span></li>"
                      for v in views if v.reason)
    return f"<td>{escape(said)}" + (f"<ul>{reasons}</ul>" if reasons else "") + "</td>"


def _purpose_html(c: Contract, uses: dict[str, list[str]], views: list[AgreementView], names: dict[int, str]) -> str:
    mine = [v for v in views if v.purpose == c.purpose]
    whole = [v for v in mine if v.field is None]
    rows = []
    for f in c.fields:
        used = uses.get(f.name)
        rows.append(
            "<tr>"
            f"<th scope=\"row\">{escape(f.plain_name)}</th>"
            f"<td>{escape(f.adult_description)}</td><td>{escape(f.why)}</td>"
            f"<td>{escape(ROLE_WORDS.get(f.role, f.role))}</td><td>{escape(identifying_words(f))}</td>"
            f"<td>{escape(', '.join(used)) if used else '<strong>' + NOT_USED + '</strong>'}</td>"
            + _views_cell([v for v in mine if v.field == f.name], names) + "</tr>"
        )
    return (
        f"<section class=\"dpup-purpose\"><h3>{escape(words(c.purpose).capitalize())} "
        f"<span class=\"dpup-version\">(version {escape(c.version)})</span></h3>"
        f"<p>{escape(c.purpose_statement)}</p>"
        f"<p><strong>Who receives it:</strong> {escape(c.recipient_plain)} ({escape(c.recipient)})</p>"
        f"<p><strong>How often:</strong> {escape(c.schedule)}</p>"
        f"<p><strong>It will not be used for:</strong></p>{_list(list(c.not_used_for))}"
        f"<p><strong>It will not be seen by:</strong></p>{_list(list(c.not_seen_by))}"
        f"<p><strong>Views on this purpose:</strong></p><table class=\"dpup-table\"><tr>"
        + _views_cell(whole, names) + "</tr></table>"
        "<div class=\"dpup-table-wrap\"><table class=\"dpup-table\"><caption>Each field, in plain words</caption>"
        "<tr><th scope=\"col\">Field</th><th scope=\"col\">What it is</th><th scope=\"col\">Why it is needed</th>"
        "<th scope=\"col\">Its role</th><th scope=\"col\">Identifying?</th><th scope=\"col\">Measures that use it</th>"
        "<th scope=\"col\">Views</th></tr>" + "".join(rows) + "</table></div></section>"
    )


def agreement_html(agreement: Agreement, uses: dict[str, dict[str, list[str]]], views: list[AgreementView],
                   names: dict[int, str]) -> str:
    """Each purpose of the version under discussion, explained (``uses``: purpose -> field -> measure names)."""
    return "".join(_purpose_html(agreement.for_purpose(p), uses.get(p, {}), views, names) for p in agreement.purposes)


def proposal_words(p: AgreementProposal, plain: dict[tuple[str, str], str]) -> str:
    """``Coarsen Date finished (evaluation) to a month`` and the like."""
    subject = plain.get((p.purpose, p.field or ""), p.field or "the purpose") if p.field else "the purpose"
    extra = ""
    if p.kind == "coarsen":
        extra = f" to {p.detail.get('to')}"
    elif p.kind == "move":
        extra = f" to {words(str(p.detail.get('to_purpose')))}"
    elif p.kind in ("reword", "not_used_for"):
        extra = f": \u201c{p.detail.get('text')}\u201d"
    return f"{KIND_WORDS[p.kind]}: {subject} ({words(p.purpose)}){extra}"


def proposals_html(proposals: list[AgreementProposal], plain: dict[tuple[str, str], str], names: dict[int, str],
                   notes: dict[int, list[str]]) -> str:
    if not proposals:
        return "<p>No proposals yet.</p>"
    items = []
    for p in proposals:
        answers = "; ".join(f"{side}: {ANSWER_WORDS.get(a, a)}" for side, a in sorted(p.answers.items())) or "no answer yet"
        state = "Accepted by both sides" if p.accepted else "Open"
        items.append(
            f"<li><strong>#{p.id} {escape(proposal_words(p, plain))}</strong> "
            f"<span class=\"dpup-who\">by {escape(names.get(p.participant_id, 'someone'))}</span>"
            + (f"<br>Why: {escape(p.reason)}" if p.reason else "")
            + f"<br>{escape(state)} ({escape(answers)})"
            + "".join(f"<br>Note: {escape(n)}" for n in notes.get(p.id, []))
            + "</li>"
        )
    return "<ul class=\"dpup-proposals\">" + "".join(items) + "</ul>"


def versions_html(versions: list[AgreementVersion], signoffs: dict[int, list[SignOff]], in_use: dict[str, str]) -> str:
    """Every version, newest first: its contracts' versions, what changed, who signed and when."""
    parts = []
    for v in reversed(versions):
        numbers = ", ".join(f"{words(p)} {n}" for p, n in sorted(v.versions().items()))
        signed = signoffs.get(v.id, [])
        sides = {s.side for s in signed}
        state = "agreed by both sides" if sides >= {"provider", "agency"} else "not yet signed by both sides"
        if v.versions() == in_use and sides >= {"provider", "agency"}:
            state += "; this is the agreement in use"
        parts.append(f"<h4>Version {v.number} ({escape(numbers)}): {escape(state)}</h4>")
        if v.summary:
            parts.append("<p>What changed:</p>" + _list(list(v.summary)))
        parts += [f"<p>Signed for the {escape(s.side)} by {escape(s.signer_role)} on {s.signed_on.isoformat()}</p>"
                  for s in signed]
    return "".join(parts)
