"""`dpup-eval contract ...`: draft a contract from a file, validate a programme, explain field roles,
say what changed between two versions."""

from __future__ import annotations

import sys
import textwrap
from pathlib import Path
from typing import Annotated

import typer

from dpup_eval.cli.programme_option import ProgrammeOpt, resolve_programme

__all__ = ["contract_app", "register"]

contract_app = typer.Typer(help="Work with data contracts (the agreements).", no_args_is_help=True)


@contract_app.command("draft")
def contract_draft(
    file: Annotated[Path, typer.Argument(help="A data file to profile (CSV, Excel or Parquet).")],
    purpose: Annotated[str, typer.Option("--purpose", help="The purpose the data would be shared for.")],
    recipient: Annotated[str, typer.Option("--recipient", help="The part of the agency that would receive it.")],
    out: Annotated[Path | None, typer.Option("--out", help="Write the draft here instead of printing it.")] = None,
    sheet: Annotated[str | None, typer.Option("--sheet", help="Which sheet of an Excel workbook.")] = None,
) -> None:
    """Profile a data file into a draft contract (types, categories, ranges, suspected identifiers)."""
    from dpup_eval.intake.drafting import draft_contract

    try:
        text = draft_contract(file, purpose, recipient, sheet=sheet)
    except ValueError as exc:
        raise typer.BadParameter(str(exc)) from None
    if out:
        from dpup_eval.files import write_text

        write_text(out, text)
        print(f"Draft written to {out}; settle every TODO and remove suspected identifiers before agreeing.",
              file=sys.stderr)
    else:
        print(text, end="")


@contract_app.command("validate")
def contract_validate(
    path: Annotated[Path | None, typer.Argument(help="A programme folder, a folder of contracts, or one "
                                                "contract file. Default: the current programme folder.")] = None,
) -> None:
    """Validate contracts (ODCS schema and DPUP requirements), settings and indicators; list every problem."""
    from dpup_eval.agreement.contract import Agreement
    from dpup_eval.agreement.programme import Programme

    agreement = Agreement.load(path) if path is not None else resolve_programme(None)
    for purpose in agreement.purposes:
        c = agreement.for_purpose(purpose)
        print(
            f"{c.path.name}: purpose {purpose}, sent to {c.recipient}; {len(c.fields)} fields, "
            f"quasi-identifiers {', '.join(c.quasi_identifiers) or 'none'}, k = {c.min_group_size}"
        )
    if isinstance(agreement, Programme):
        from dpup_eval.errors import ContractError, ContractIssue, IssuesError
        from dpup_eval.findings.indicators import IndicatorError, load_indicators

        problems: list[ContractIssue] = []
        for purpose, file in sorted(agreement.indicator_files.items()):
            try:
                indicators = load_indicators(agreement.indicators_file(purpose), agreement.for_purpose(purpose))
            except ContractError as error:
                problems += error.issues
                continue
            except IndicatorError as error:
                problems += [ContractIssue(str(file), getattr(i, "place", ""), getattr(i, "message", str(i)))
                             for i in error.issues]
                continue
            print(f"{file.name}: {len(indicators.indicators)} indicators for {purpose}")
        if problems:
            raise IssuesError(problems, "invalid indicators")
        settings = agreement.settings
        print(f"programme.yaml: {settings.name}; roles {', '.join(r.id for r in settings.roles)}; "
              f"periods by {settings.periods.grain}; children take part: {'yes' if settings.children_take_part else 'no'}")


@contract_app.command("roles")
def contract_roles() -> None:
    """What each field role means and what it allows (the role a contract gives each field)."""
    from dpup_eval.agreement.rules import ROLE_MEANINGS, SUSPECTED

    for role, meaning in ROLE_MEANINGS.items():
        print(role)
        print(textwrap.indent(textwrap.fill(meaning, 96), "    "))
    print(SUSPECTED)
    print(textwrap.indent(textwrap.fill(
        "Given by `contract draft` and `init` to a column that looks identifying (a name, contact detail or "
        "official number). No contract accepts it: remove the column, or give it a role above if it cannot "
        "identify anyone.", 96), "    "))


@contract_app.command("diff")
def contract_diff(
    old: Annotated[Path, typer.Argument(help="The earlier version: a programme folder, a folder of contracts "
                                        "or one contract file.")],
    new: Annotated[Path, typer.Argument(help="The later version, the same kind as OLD.")],
    html: Annotated[Path | None, typer.Option("--html", help="Also write the summary as an HTML page here.")] = None,
) -> None:
    """What changed between two versions of an agreement, in plain words, and whether the versions fit."""
    from dpup_eval.agreement.contract import Agreement
    from dpup_eval.agreement.diff import diff_agreements
    from dpup_eval.agreement.diff_report import diff_html, diff_lines

    before, after = Agreement.load(old), Agreement.load(new)
    diff = diff_agreements(before, after)
    for line in diff_lines(diff):
        print(line)
    for problem in diff.problems:
        print(f"Warning: {problem}", file=sys.stderr)
    if html is not None:
        from dpup_eval.files import write_text

        language = getattr(after, "language", "en-NZ")
        write_text(html, diff_html(diff, old_name=str(old), new_name=str(new), language=language))
        print(f"Summary written to {html}", file=sys.stderr)


@contract_app.command("checked")
def contract_checked(
    reports: Annotated[list[Path], typer.Argument(help="Check reports (the JSON of `check --json`, or a workshop's "
                                                  "check-report.json).")],
    programme: ProgrammeOpt = None,
) -> None:
    """Which agreement version each check report was made against; flags (exit 1) data checked against an
    older version than the agreement in use."""
    import json

    from dpup_eval.agreement.versions import older_check
    from dpup_eval.errors import DpupEvalError

    agreement = resolve_programme(programme, None)
    stale = False
    for path in reports:
        try:
            raw = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, ValueError) as exc:
            raise DpupEvalError(f"{path}: not a readable check report ({exc.__class__.__name__})") from None
        report = raw.get("report", raw) if isinstance(raw, dict) else None
        if not isinstance(report, dict) or "purpose" not in report:
            raise DpupEvalError(f"{path}: not a check report (no purpose); give the JSON written by `check --json`")
        purpose = str(report["purpose"])
        current = agreement.for_purpose(purpose).version
        problem = older_check(purpose, report.get("contract_version"), current)
        if problem:
            stale = True
            print(f"{path}: OLDER: {problem}")
        else:
            print(f"{path}: checked against {purpose.replace('_', ' ')} version {current}, the agreement in use")
    if stale:
        raise typer.Exit(1)


@contract_app.command("hints")
def contract_hints_command(
    programme: ProgrammeOpt = None,
    data: Annotated[Path | None, typer.Option("--data", help="Sample data for one purpose: finds combinations of "
                                              "quasi-identifiers whose smallest groups fall under k (counts only).")] = None,
    purpose: Annotated[str | None, typer.Option("--purpose", help="The purpose the sample data is for (default: "
                                                "the file's name, e.g. evaluation.csv).")] = None,
    sheet: Annotated[str | None, typer.Option("--sheet", help="Which sheet of an Excel workbook.")] = None,
) -> None:
    """Where the agreement could ask for less: exact dates, free text, fields no measure uses, small groups."""
    from dpup_eval.agreement.hints import contract_hints
    from dpup_eval.agreement.programme import Programme
    from dpup_eval.errors import DpupEvalError

    agreement = resolve_programme(programme, None)
    uses: dict[str, dict[str, list[str]]] = {}
    if isinstance(agreement, Programme):
        from dpup_eval.findings.field_use import programme_field_uses

        uses = programme_field_uses(agreement)
    hints = []
    for name in agreement.purposes:
        hints += contract_hints(agreement.for_purpose(name), set(uses[name]) if name in uses else None)
    if data is not None:
        from dpup_eval.intake.minimisation_data import small_group_hints

        chosen = purpose or data.name.split(".")[0]
        if chosen not in agreement.purposes:
            raise DpupEvalError(f"{data}: say which purpose the sample is for with --purpose "
                                f"({', '.join(agreement.purposes)})")
        hints += small_group_hints(agreement.for_purpose(chosen), data, sheet=sheet)
    for name in agreement.purposes:
        mine = [h for h in hints if h.purpose == name]
        print(f"{name.replace('_', ' ')}: {len(mine)} hint{'s' if len(mine) != 1 else ''}")
        for hint in mine:
            print(textwrap.fill(hint.text, 100, initial_indent="  - ", subsequent_indent="    "))
    if data is None:
        print("Give sample data (--data FILE) to find combinations of quasi-identifiers that leave small groups.",
              file=sys.stderr)


def register(app: typer.Typer) -> None:
    """Add `contract draft|validate|roles|diff|checked|hints` to the main app."""
    app.add_typer(contract_app, name="contract")
