"""Command-line commands for transparency and people's rights: notices, the audit log, requests, uses.

Thin commands in the style of :mod:`dpup_eval.cli.app`: parse options, call the library, write the result;
progress on stderr; can't-run cases raise :class:`~dpup_eval.errors.DpupEvalError` subclasses, which
``cli.main`` prints as one ``Error:`` line with exit code 2. Register them with :func:`register`::

    from dpup_eval.cli import rights as cli_rights
    cli_rights.register(app)   # notice, audit {verify,checkpoint,summary}, request {...}, uses {...}

Exit codes: ``audit verify`` exits 1 when the log was tampered with (``audit checkpoint`` refuses with 2); ``request correct`` exits 1 when the
correction was refused; ``notice`` exits 1 when the text misses its readability target.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer

from dpup_eval.cli.common import LogOpt, parse_day, say
from dpup_eval.cli.programme_option import ContractAliasOpt, ProgrammeOpt, resolve_programme
from dpup_eval.errors import DpupEvalError

__all__ = ["audit_app", "notice", "register", "request_app", "uses_app", "write_notice"]

audit_app = typer.Typer(help="Check the audit log and see who used what.", no_args_is_help=True)
request_app = typer.Typer(help="Access (IPP 6) and correction (IPP 7) requests from families.", no_args_is_help=True)
uses_app = typer.Typer(help="The register of what the information was used for.", no_args_is_help=True)

RegisterOpt = Annotated[str | None, typer.Option("--register", help="The request register: a SQLite file or a "
                                                 "postgresql:// URL. Default: $DPUP_EVAL_HOME/requests.sqlite.")]
KeyMapOpt = Annotated[Path, typer.Option("--key-map", help="The provider's key map CSV: provider_family_ref,purpose,family_ref "
                                             "(the provider's own reference, the purpose, the reference sent for it).")]
SentOpt = Annotated[list[str], typer.Option("--sent", help="PURPOSE=FILE: a file sent to the agency (repeat per purpose).")]
UsesOpt = Annotated[str | None, typer.Option("--uses", help="The use register: a SQLite file or a postgresql:// URL. "
                                             "Default: $DPUP_EVAL_HOME/uses.sqlite.")]


def _sent(pairs: list[str]) -> dict[str, Path]:
    sent: dict[str, Path] = {}
    for pair in pairs:
        purpose, sep, file = pair.partition("=")
        if not sep or not purpose.strip() or not file.strip():
            raise typer.BadParameter(f"--sent takes PURPOSE=FILE, e.g. evaluation=evaluation.csv, not {pair!r}")
        path = Path(file.strip())
        if not path.is_file():
            raise DpupEvalError(f"--sent {purpose.strip()}: no such file {path}")
        sent[purpose.strip()] = path
    return sent


def _audit_log(log: Path | None):  # -> AuditLog
    from dpup_eval.audit import AuditLog, default_audit_path

    return AuditLog(log or default_audit_path())


def _register(register: str | None, log: Path | None):  # -> Register
    from dpup_eval.rights.requests import Register

    return Register(register, audit=_audit_log(log))


# -- notice ---------------------------------------------------------------------------------------------
def notice(
    audience: Annotated[str, typer.Option("--audience", help="adult or child (where children take part).")] = "adult",
    programme: ProgrammeOpt = None,
    contract: ContractAliasOpt = None,
    fmt: Annotated[str, typer.Option("--format", help="html or md.")] = "html",
    out: Annotated[Path | None, typer.Option("--out", help="Write here instead of printing.")] = None,
    check: Annotated[list[Path] | None, typer.Option(
        "--check", help="A notice on file (HTML or Markdown) to check against the agreement instead of writing one: "
                        "warns and exits 1 when it describes an older version. Repeat for several.")] = None,
) -> None:
    """Write the plain-language notice for families from the agreement (adult or child version).

    A notice carries the agreement versions it describes; a notice on file (``--check``, or the ``--out``
    file about to be replaced) that describes an older version is warned about."""
    from dpup_eval.rights.notices import build_notice

    if audience not in ("adult", "child"):
        raise typer.BadParameter(f"--audience must be adult or child, not {audience!r}")
    if fmt not in ("html", "md"):
        raise typer.BadParameter(f"--format must be html or md, not {fmt!r}")
    agreement = resolve_programme(programme, contract)
    if check:
        if not _notices_current(check, agreement):
            raise typer.Exit(1)
        return
    if out is not None and out.is_file():
        _notices_current([out], agreement, replacing=True)
    write_notice(build_notice(agreement, audience), fmt, out, "Notice")  # type: ignore[arg-type]


def _notices_current(files: list[Path], agreement, *, replacing: bool = False) -> bool:  # agreement: Agreement
    """Warn about each notice on file that no longer describes the agreement; True when all still do."""
    from dpup_eval.errors import DpupEvalError
    from dpup_eval.rights.notices import notice_staleness

    current = True
    for path in files:
        try:
            text = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            raise DpupEvalError(f"{path}: cannot read the notice on file ({exc.__class__.__name__})") from None
        problems = notice_staleness(text, agreement)
        for problem in problems:
            say(f"Warning: the notice on file {path} is out of date: {problem}"
                 + ("; it is being replaced now: give families the new one" if replacing else ""))
        if not problems and not replacing:
            say(f"{path}: describes the agreement in use")
        current = current and not problems
    return current


def write_notice(built, fmt: str, out: Path | None, what: str) -> None:  # built: Notice
    """Print or write a notice-like text (html or md), then its readability; exit 1 when it misses its target."""
    from dpup_eval.rights.notices import readability

    text = built.to_html() if fmt == "html" else built.to_markdown()
    if out:
        from dpup_eval.files import write_text

        write_text(out, text)
        say(f"{what} written to {out}")
    else:
        print(text, end="")
    score = readability(built)
    say(score.describe())
    if not score.meets_target:
        raise typer.Exit(1)


# -- audit ----------------------------------------------------------------------------------------------
@audit_app.command("verify")
def audit_verify(
    log: LogOpt = None,
    head: Annotated[str | None, typer.Option("--head", help="An anchor COUNT:HASH printed earlier; checks the "
                                             "log still ends where it did (catches removed or rewritten tails).")] = None,
) -> None:
    """Check the audit log has not been edited, cut or reordered; say where if it has. Exit 1 if damaged."""
    from dpup_eval.audit import AuditHead

    audit = _audit_log(log)
    if log is not None and not log.exists() and not audit.checkpoints.exists():
        raise DpupEvalError(f"no audit log at {log}")
    try:
        anchor = AuditHead.parse(head) if head else None
    except ValueError as exc:
        raise typer.BadParameter(str(exc)) from None
    result = audit.verify(expected_head=anchor)
    if result.ok:
        current = audit.head() if result.entries else None
        sealed = " (sealed: matches its checkpoints)" if result.sealed else ""
        print(f"Audit log intact: {result.entries} entries{sealed}" + (f"; head {current}" if current else ""))
        for note in result.notes:
            print(f"  note: {note}")
        return
    print(f"Audit log DAMAGED: {len(result.problems)} problem(s) in {result.entries} readable entries")
    for problem in result.problems:
        where = f"line {problem.line}" if problem.line else "end of log"
        print(f"  {where}: {problem.kind}: {problem.message}")
    raise typer.Exit(1)


@audit_app.command("checkpoint")
def audit_checkpoint(log: LogOpt = None) -> None:
    """Seal the log's current head with the workbench's key (after checking the whole log). Exit 2 if damaged.

    Every entry is already sealed and checkpointed when written; use this to seal a log written before
    sealing existed, or to print a head to keep somewhere else (a report, an e-mail) for 'verify --head'.
    """
    point = _audit_log(log).checkpoint()
    print(f"Checkpoint written: head {point.seq}:{point.hash} at {point.at}")
    say("Keep this head somewhere else too: 'dpup-eval audit verify --head COUNT:HASH' then also catches "
        "the log and its checkpoints being rolled back together.")


@audit_app.command("summary")
def audit_summary(
    log: LogOpt = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON instead of a table.")] = False,
) -> None:
    """Who used what, for which purpose, how often and when (from the audit log)."""
    rows = _audit_log(log).summary()
    if as_json:
        print(json.dumps([r.model_dump() for r in rows], ensure_ascii=False, indent=2))
        return
    if not rows:
        print("Nothing recorded yet.")
    for r in rows:
        print(f"{r.actor} ({r.role}) {r.action} for {r.purpose or '-'}: {r.count}x, {r.first_at[:16]} to {r.last_at[:16]}")
        if r.fields:
            print(f"    fields: {', '.join(r.fields)}")


# -- requests -------------------------------------------------------------------------------------------
@request_app.command("new")
def request_new(
    family_ref: Annotated[str, typer.Argument(help="The family's reference as the provider knows it.")],
    received: Annotated[str | None, typer.Option("--received", help="Date received (default today).")] = None,
    kind: Annotated[str, typer.Option("--kind", help="access or correction.")] = "access",
    member: Annotated[list[str] | None, typer.Option("--member", help="A person the request covers (default: all).")] = None,
    key_map: Annotated[Path | None, typer.Option("--key-map", help="Check the family is known.")] = None,
    register: RegisterOpt = None,
    log: LogOpt = None,
) -> None:
    """Log a request and print its due dates (20 working days; transfer within 10)."""
    from dpup_eval.rights.requests import KeyMap

    if kind not in ("access", "correction"):
        raise typer.BadParameter(f"--kind must be access or correction, not {kind!r}")
    keys = KeyMap.load(key_map) if key_map else None
    r = _register(register, log).new_request(family_ref, parse_day(received, "--received"), kind=kind,
                                             covers=member or [], key_map=keys)
    print(f"Request {r.id} ({r.kind}) received {r.received}: answer due {r.due}; transfer (if needed) due {r.transfer_due}")
    if not r.known:
        say("Note: the key map has no family with this reference; the answer will say nothing is held.")


@request_app.command("list")
def request_list(
    show_all: Annotated[bool, typer.Option("--all", help="Include answered requests.")] = False,
    today: Annotated[str | None, typer.Option("--today", help="Count days left from this date.")] = None,
    register: RegisterOpt = None,
    log: LogOpt = None,
) -> None:
    """Open requests, soonest due first, with working days left (negative: overdue)."""
    day = parse_day(today, "--today")
    requests = _register(register, log).list_requests(open_only=not show_all)
    if not requests:
        print("No open requests." if not show_all else "No requests.")
    for r in requests:
        state = (f"answered {r.answered_on}" if r.status == "answered" else
                 f"{r.days_left(day)} working days left" if r.days_left(day) >= 0 else
                 f"OVERDUE by {-r.days_left(day)} working days")
        print(f"{r.id}\t{r.kind}\t{r.family_ref}\treceived {r.received}\tdue {r.due}\t{state}")


@request_app.command("compile")
def request_compile(
    request_id: Annotated[int, typer.Argument(help="The request number.")],
    key_map: KeyMapOpt,
    sent: SentOpt,
    out: Annotated[Path, typer.Option("--out", help="Folder for the pages (an adult page per person, and a child "
                                      "page where children take part).")],
    programme: ProgrammeOpt = None,
    contract: ContractAliasOpt = None,
    register: RegisterOpt = None,
    log: LogOpt = None,
    stories: Annotated[str | None, typer.Option("--stories", help="The story register (the family's stories go in "
                                                "the pack). Default: $DPUP_EVAL_HOME/stories.sqlite if it exists.")] = None,
    uses: UsesOpt = None,
) -> None:
    """Compile everything held about the family: the records sent, field by field, who used them, and the
    family's own stories with where each went."""
    from dpup_eval.rights.access_pack import compile_access, write_access_pack
    from dpup_eval.rights.requests import KeyMap
    from dpup_eval.rights.stories.register import StoryRegister
    from dpup_eval.rights.stories.tables import default_stories_path
    from dpup_eval.rights.uses import UseRegister

    told = StoryRegister(stories, audit=log) if stories or default_stories_path().exists() else None
    pack = compile_access(_register(register, log), request_id, resolve_programme(programme, contract),
                          KeyMap.load(key_map), _sent(sent), stories=told,
                          uses=UseRegister(uses) if told is not None else None)
    if not pack.found:
        say("No information is held under this family reference; the pages say so.")
    for path in write_access_pack(pack, out):
        print(path)


@request_app.command("answer")
def request_answer(
    request_id: Annotated[int, typer.Argument(help="The request number.")],
    on: Annotated[str | None, typer.Option("--on", help="Date answered (default today).")] = None,
    note: Annotated[str, typer.Option("--note", help="A short note (no personal details).")] = "",
    register: RegisterOpt = None,
    log: LogOpt = None,
) -> None:
    """Mark a request answered."""
    r = _register(register, log).answer(request_id, parse_day(on, "--on"), note)
    late = r.answered_on is not None and r.answered_on > r.due
    print(f"Request {r.id} answered {r.answered_on}" + (" (after the due date)" if late else " (on time)"))


@request_app.command("correct")
def request_correct(
    request_id: Annotated[int, typer.Argument(help="The request number.")],
    purpose: Annotated[str, typer.Option("--purpose", help="Which data: one of the programme's purposes.")],
    field: Annotated[str, typer.Option("--field", help="The field to correct.")],
    key_map: KeyMapOpt,
    sent: SentOpt,
    record: Annotated[str, typer.Option("--record", help="KEY=VALUE[,KEY=VALUE]: which record, e.g. "
                                        "a key field and its value, as in the file sent.")] = "",
    value: Annotated[str | None, typer.Option("--value", help="The corrected value (to apply it).")] = None,
    reason: Annotated[str, typer.Option("--reason", help="Why it is changed (or not).")] = "",
    statement: Annotated[str | None, typer.Option("--statement", help="Not changed: the correction sought, kept "
                                                  "with the record.")] = None,
    by: Annotated[str | None, typer.Option("--by", help="Who decided (default $DPUP_EVAL_ACTOR).")] = None,
    programme: ProgrammeOpt = None,
    contract: ContractAliasOpt = None,
    register: RegisterOpt = None,
    log: LogOpt = None,
) -> None:
    """Apply a correction (new version, old value kept) or attach a statement; list who must be told."""
    from dpup_eval.rights.requests import KeyMap

    if (value is None) == (statement is None):
        raise typer.BadParameter("give either --value (apply the correction) or --statement (correction not made)")
    where = {}
    for part in filter(None, (p.strip() for p in record.split(","))):
        key, sep, val = part.partition("=")
        if not sep:
            raise typer.BadParameter(f"--record takes KEY=VALUE pairs, not {part!r}")
        where[key.strip()] = val.strip()
    result = _register(register, log).correct(
        request_id, resolve_programme(programme, contract), KeyMap.load(key_map), _sent(sent), purpose=purpose,
        record=where,
        field=field, new_value=value, decision="apply" if statement is None else "statement", statement=statement,
        reason=reason, by=by)
    if result.outcome == "refused":
        print(f"Correction refused: {result.reason}")
        raise typer.Exit(1)
    done = "Corrected" if result.outcome == "applied" else "Statement attached to"
    print(f"{done} {field} ({purpose}); the old value is kept in the record's history.")
    print("Tell everyone who received the old value:")
    for r in result.recipients:
        print(f"  {r.who} ({r.role}): {r.how}" + (f", {r.when} UTC" if r.when else ""))


# -- uses -----------------------------------------------------------------------------------------------
@uses_app.command("add")
def uses_add(
    what: Annotated[str, typer.Option("--what", help="What it was used for, e.g. 'Advice to the Minister'.")],
    summary: Annotated[str, typer.Option("--summary", help="A plain summary of the outcome.")],
    kind: Annotated[str, typer.Option("--kind", help="decision, advice, report, funding or other.")] = "report",
    on: Annotated[str | None, typer.Option("--date", help="When (default today).")] = None,
    purpose: Annotated[str | None, typer.Option("--purpose", help="Which purpose's data.")] = None,
    data: Annotated[list[str] | None, typer.Option("--data", help="Information used (repeat).")] = None,
    finding: Annotated[list[str] | None, typer.Option("--finding", help="A finding it drew on (repeat).")] = None,
    uses: UsesOpt = None,
    programme: ProgrammeOpt = None,
) -> None:
    """Record one use of the information and its outcome (refused if it names a person's reference)."""
    from dpup_eval.rights.references import reference_patterns
    from dpup_eval.rights.uses import UseRegister

    references = reference_patterns(resolve_programme(programme))
    record = UseRegister(uses).add(used_on=parse_day(on, "--date"), kind=kind, what=what, summary=summary,
                                   references=references, data_used=data or [], findings=finding or [],
                                   purpose=purpose)
    print(f"Use {record.id} recorded.")


@uses_app.command("list")
def uses_list(
    purpose: Annotated[str | None, typer.Option("--purpose", help="Only this purpose.")] = None,
    since: Annotated[str | None, typer.Option("--since", help="Only from this date.")] = None,
    uses: UsesOpt = None,
) -> None:
    """List what the information was used for, newest first."""
    from dpup_eval.rights.uses import UseRegister, uses_text

    print(uses_text(UseRegister(uses).list(purpose=purpose, since=parse_day(since, "--since") if since else None)))


@uses_app.command("export")
def uses_export(
    out: Annotated[Path, typer.Option("--out", help="The file to write.")],
    fmt: Annotated[str, typer.Option("--format", help="html (for the Board) or csv.")] = "html",
    purpose: Annotated[str | None, typer.Option("--purpose", help="Only this purpose.")] = None,
    uses: UsesOpt = None,
    programme: ProgrammeOpt = None,
) -> None:
    """Export the use register as a printable HTML page (titled with the programme) or CSV."""
    from dpup_eval.files import write_text
    from dpup_eval.rights.uses import UseRegister, uses_csv, uses_html

    if fmt not in ("html", "csv"):
        raise typer.BadParameter(f"--format must be html or csv, not {fmt!r}")
    records = UseRegister(uses).list(purpose=purpose)
    if fmt == "html":
        chosen = resolve_programme(programme)
        first = chosen.for_purpose(chosen.purposes[0])
        text = uses_html(records, provider=first.provider, programme=chosen.name, language=chosen.language)
    else:
        text = uses_csv(records)
    write_text(out, text)
    say(f"{len(records)} use(s) written to {out}")


def register(app: typer.Typer) -> None:
    """Add ``notice``, ``audit``, ``request`` and ``uses`` to the main ``dpup-eval`` app."""
    app.command("notice")(notice)
    app.add_typer(audit_app, name="audit")
    app.add_typer(request_app, name="request")
    app.add_typer(uses_app, name="uses")
