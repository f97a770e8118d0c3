"""`dpup-eval releases`: what has left the workbench, and the attacker that tries to undo its protection.

Thin commands in the style of :mod:`dpup_eval.cli.app`. The ledger is the programme's own
(``$DPUP_EVAL_HOME/programmes/<programme>/releases.sqlite``; the programme comes from the agreement),
or the file given with ``--ledger``. Exit codes: ``releases attack`` exits 1 when the attacker pinned
anything down, 0 when it recovered nothing, 2 when it could not run.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer

from dpup_eval.cli.programme_option import ContractAliasOpt, ProgrammeOpt, resolve_programme
from dpup_eval.errors import DpupEvalError

__all__ = ["register", "releases_app"]

releases_app = typer.Typer(
    help="The release ledger: every set of findings that left the workbench (pages, reports, exports).",
    invoke_without_command=True,
)

LedgerOpt = Annotated[Path | None, typer.Option("--ledger", help="A release ledger file. Default: the "
                                                "programme's own, in $DPUP_EVAL_HOME/programmes/.")]  # fmt: skip


def _ledger_path(programme: Path | None, contract: Path | None, ledger: Path | None) -> Path:
    from dpup_eval.findings.ledger import LEDGER_FILE
    from dpup_eval.findings.record_keys import programme_folder

    if ledger is not None:
        if not ledger.is_file():
            raise DpupEvalError(f"No release ledger at {ledger}.")
        return ledger
    agreement = resolve_programme(programme, contract)
    name = agreement.for_purpose(agreement.purposes[0]).programme
    path = programme_folder(name) / LEDGER_FILE
    if not path.is_file():
        raise DpupEvalError(f"Nothing has been released for {name} yet (no ledger at {path}).")
    return path


@releases_app.callback()
def releases(
    ctx: typer.Context, programme: ProgrammeOpt = None, contract: ContractAliasOpt = None, ledger: LedgerOpt = None,
) -> None:  # fmt: skip
    """List every release: when, where it went (page, report, export), how many findings and populations."""
    if ctx.invoked_subcommand is not None:
        ctx.obj = (programme, contract, ledger)
        return
    from dpup_eval.findings.ledger import Ledger

    with Ledger(_ledger_path(programme, contract, ledger)) as opened:
        listed = opened.releases()
    if not listed:
        print("No releases recorded yet.")
        return
    print(f"{'id':>5}  {'when (UTC)':<25}  {'findings':>8}  {'populations':>11}  where")
    for r in listed:
        where = r.channel + (f", workshop '{r.workshop}'" if r.workshop else "") + f" ({r.purpose})"
        print(f"{r.id:>5}  {r.at:<25}  {r.findings:>8}  {r.populations:>11}  {where}")
    print(f"{len(listed)} release{'' if len(listed) == 1 else 's'}", file=sys.stderr)


@releases_app.command("attack")
def attack_command(
    ctx: typer.Context, programme: ProgrammeOpt = None, contract: ContractAliasOpt = None, ledger: LedgerOpt = None,
    json_out: Annotated[Path | None, typer.Option("--json", help="Also write the attacker's report as JSON here.")] = None,
) -> None:  # fmt: skip
    """Try to undo disclosure control using only what was released: subtraction across groupings, periods,
    definitions, thresholds and complements, the integer-mean trick, repeated releases. Exit 1 if it pins
    down a small group, one person's value, or all or none of a group."""
    from dpup_eval.findings.attacker import attack
    from dpup_eval.findings.ledger import Ledger

    given_programme, given_contract, given_ledger = ctx.obj or (None, None, None)
    path = _ledger_path(programme or given_programme, contract or given_contract, ledger or given_ledger)
    print(f"Attacking the releases in {path} ...", file=sys.stderr, flush=True)
    with Ledger(path) as opened:
        report = attack(opened)
    if json_out:
        from dpup_eval.files import write_text

        write_text(json_out, report.model_dump_json(indent=2))
    print(report.to_summary())
    raise typer.Exit(1 if report.recovered else 0)


def register(app: typer.Typer) -> None:
    """Add ``releases`` (and ``releases attack``) to the main ``dpup-eval`` app."""
    app.add_typer(releases_app, name="releases")
