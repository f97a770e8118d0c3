"""The `dpup-eval` command line: thin commands that parse options, call the library, write results.

Exit codes: 0 success (for `check`: every row accepted); 1 rows quarantined or the dataset
rejected; 2 the command could not run (one `Error:` line; the traceback only with `--debug`).
"""

from __future__ import annotations

import os
import sys
import traceback
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

from dpup_eval.cli.common import say
from dpup_eval.cli.programme_option import ContractAliasOpt, ProgrammeOpt, resolve_programme
from dpup_eval.errors import DpupEvalError

app = typer.Typer(
    name="dpup-eval",
    help="dpup_eval: check de-identified programme data against its agreement, and evaluate it together.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
)


def _click_class(name: str) -> type[Exception]:
    """Typer vendors click; its exception classes are reached through the public BadParameter."""
    return next(c for c in typer.BadParameter.__mro__ if c.__name__ == name)


ClickException = _click_class("ClickException")
UsageError = _click_class("UsageError")



class Engine(StrEnum):
    """What runs the agreed rules in `check` (see `dpup_eval.intake.loading.ENGINES`)."""

    pandas = "pandas"
    duckdb = "duckdb"


@app.callback()
def _root(
    debug: Annotated[
        bool, typer.Option("--debug", help="Show the full traceback when a command fails.")
    ] = False,
) -> None:
    """Global options (read by `main`)."""


@app.command()
def check(
    file: Annotated[Path, typer.Argument(help="The data file: CSV (UTF-8), Excel (.xlsx) or Parquet.")],
    purpose: Annotated[str, typer.Option("--purpose", help="What the data is for: one of the programme's purposes.")],
    programme: ProgrammeOpt = None,
    contract: ContractAliasOpt = None,
    json_out: Annotated[Path | None, typer.Option("--json", help="Write the report as JSON here.")] = None,
    html_out: Annotated[
        Path | None, typer.Option("--html", help="Write the report as a standalone HTML page.")
    ] = None,
    quarantine_out: Annotated[
        Path | None, typer.Option("--quarantine", help="Write quarantined rows (CSV) here.")
    ] = None,
    accepted_out: Annotated[
        Path | None, typer.Option("--accepted", help="Write the accepted rows (CSV) here.")
    ] = None,
    sheet: Annotated[
        str | None, typer.Option("--sheet", help="Which sheet of an Excel workbook to check.")
    ] = None,
    engine: Annotated[
        Engine, typer.Option("--engine", help="What runs the agreed rules: pandas (Great Expectations) or duckdb "
                             "(the same rules as SQL in embedded DuckDB; needs the duckdb extra).")
    ] = Engine.pandas,
) -> None:
    """Check a data file against the agreement for one purpose.

    Exit 0: every row accepted. Exit 1: rows quarantined or the file rejected. Exit 2: could not run.
    """
    from dpup_eval.intake.loading import load

    chosen = resolve_programme(programme, contract)
    say(f"Checking {file.name} for {purpose} ...")
    result = load(file, chosen.for_purpose(purpose), purpose, sheet=sheet, engine=engine.value)
    report = result.report
    _write_check_outputs(result, json_out, html_out, quarantine_out, accepted_out)
    written = [kind for kind, out in (("json", json_out), ("html", html_out), ("quarantine", quarantine_out),
                                      ("accepted", accepted_out)) if out]
    if written:
        from dpup_eval.audit import record_use

        record_use("export", purpose=purpose, dataset=file, fields=report.columns,
                   details={"outputs": ",".join(written)})
    print(report.to_summary())
    raise typer.Exit(report.exit_code)


def _write_check_outputs(result, json_out: Path | None, html_out: Path | None, quarantine_out: Path | None,
                        accepted_out: Path | None) -> None:
    """Data files first, reports last, all renamed into place together (see `dpup_eval.files.AtomicFiles`).

    A report on disk therefore always describes the quarantine and accepted files beside it.
    """
    from dpup_eval.files import AtomicFiles
    from dpup_eval.safe_csv import write_csv_to

    reports = [p for p in (html_out, json_out) if p]
    with AtomicFiles(replaces_last=reports) as out:
        if quarantine_out:
            out.write(quarantine_out, lambda handle: write_csv_to(handle, result.quarantine, index=True))
        if accepted_out:
            out.write(accepted_out, lambda handle: write_csv_to(handle, result.data, index=True))
        if html_out:
            out.text(html_out, result.report.to_html())
        if json_out:
            out.text(json_out, result.report.to_json())


@app.command()
def evaluate(
    file: Annotated[Path, typer.Argument(help="The data file to evaluate (checked against the contract first).")],
    purpose: Annotated[str, typer.Option("--purpose", help="What the data is for: one of the programme's purposes.")],
    programme: ProgrammeOpt = None,
    contract: ContractAliasOpt = None,
    indicators: Annotated[Path | None, typer.Option("--indicators", help="Indicator definitions (YAML). Default: "
                                                    "the programme's indicators for the purpose.")] = None,
    by: Annotated[list[str] | None, typer.Option("--by", help="Group findings by this field (repeatable). "
                                                 "Default: each indicator's own groupings.")] = None,
    period: Annotated[str | None, typer.Option("--period", help="Field holding the period. Default: the one "
                                               "programme.yaml names for the purpose.")] = None,
    period_grain: Annotated[str | None, typer.Option("--period-grain", help="Read the period by month, quarter "
                                                     "or year. Default: the programme's grain (programme.yaml).")] = None,
    json_out: Annotated[Path | None, typer.Option("--json", help="Write the findings as JSON here.")] = None,
    html_out: Annotated[Path | None, typer.Option("--html", help="Write a standalone findings page here.")] = None,
) -> None:
    """Compute the success measures with honest intervals; only disclosure-controlled numbers are shown.

    Exit 0 on success, 2 when it could not run (including a data file the contract rejects).
    """
    from dpup_eval.findings.evaluation import evaluate_file
    from dpup_eval.findings.periods import GRAINS
    from dpup_eval.findings.text_tables import findings_text

    if period_grain is not None and period_grain not in GRAINS:
        raise typer.BadParameter(f"choose one of {', '.join(GRAINS)}", param_hint="--period-grain")
    chosen = resolve_programme(programme, contract)
    contract_for_purpose = chosen.for_purpose(purpose)
    grain = period_grain or (chosen.grain if chosen.grain != "none" else None)
    say(f"Evaluating {file.name} for {purpose} ...")
    exports = "".join(f", {out}" for out in (json_out, html_out) if out)
    findings = evaluate_file(file, contract_for_purpose, purpose, indicators or chosen.indicators_file(purpose),
                             by=by or None, period=period or chosen.period_field(purpose),
                             period_grain=grain,
                             release=f"dpup-eval evaluate {file.name} (terminal{exports})")
    from dpup_eval.files import write_text

    if json_out:
        write_text(json_out, findings.to_json())
    if html_out:
        write_text(html_out, findings.to_html(title=f"Findings: {file.name}"))
    from dpup_eval.audit import record_use

    outputs = ",".join(kind for kind, out in (("json", json_out), ("html", html_out)) if out)
    record_use("evaluate", purpose=purpose, dataset=file, fields=(),
               details={"findings": len(findings), "outputs": outputs or None})
    for finding in findings.findings:
        if not finding.group and finding.period is None:
            print(finding.sentence)
    print()
    print(findings_text(findings), end="")
    print(f"{len(findings)} findings", file=sys.stderr)


@app.command()
def lab(
    port: Annotated[int | None, typer.Option(help="Port for JupyterLab (default: a free one).")] = None,
    course_dir: Annotated[Path, typer.Option(help="Your working copy of the course (created on first run; "
                                             "your work in it is kept).")] = Path("dpup-eval-course"),
    no_browser: Annotated[bool, typer.Option("--no-browser", help="Do not open a browser tab.")] = False,
) -> None:
    """Open the data-analysis course in JupyterLab (on this computer only), with the demo data ready."""
    from dpup_eval.learn.lab import run_lab

    raise typer.Exit(run_lab(port=port, course_dir=course_dir, open_browser=not no_browser, progress=say))


def _register_more() -> None:
    """Commands that live beside their feature modules (kept out of this file to keep it thin)."""
    from dpup_eval.cli import contract as cli_contract
    from dpup_eval.cli import demo as cli_demo
    from dpup_eval.cli import init as cli_init
    from dpup_eval.cli import releases as cli_releases
    from dpup_eval.cli import rights as cli_rights
    from dpup_eval.cli import scan as cli_scan
    from dpup_eval.cli import stories as cli_stories
    from dpup_eval.cli import workshop as cli_workshop

    cli_init.register(app)
    cli_contract.register(app)
    cli_rights.register(app)
    cli_workshop.register(app)
    cli_scan.register(app)
    cli_stories.register(app)
    cli_releases.register(app)
    cli_demo.register(app)


_register_more()


def main(argv: list[str] | None = None) -> int:
    """Entry point: runs the command and turns the project's errors into `Error:` and exit code 2."""
    args = list(sys.argv[1:] if argv is None else argv)
    debug = "--debug" in args
    # Everything this run creates (reports, data, records, and what Voila or SQLite create for us) is
    # owner-only, even where a library opens files itself; `dpup_eval.files` also sets modes explicitly.
    umask = os.umask(0o077)
    try:
        result = app(args=args, prog_name="dpup-eval", standalone_mode=False)
        return int(result or 0)
    except typer.Exit as exc:
        return exc.exit_code
    except ClickException as exc:
        message = exc.format_message()  # type: ignore[attr-defined]
        ctx = getattr(exc, "ctx", None)
        if isinstance(exc, UsageError) and ctx is not None:
            message += f" (run '{ctx.command_path} --help' for help)"
        print(f"Error: {message}", file=sys.stderr)
        return 2
    except typer.Abort:
        print("Error: stopped.", file=sys.stderr)
        return 2
    except DpupEvalError as exc:
        if debug:
            traceback.print_exc()
        print(f"Error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("Error: interrupted.", file=sys.stderr)
        return 2
    except Exception as exc:  # a bug of ours: one plain line for people, the traceback with --debug
        if debug:
            traceback.print_exc()
        print(
            f"Error: dpup-eval stopped on a problem it did not expect ({type(exc).__name__}); run the "
            "command again with --debug to see where, and please report it.",
            file=sys.stderr,
        )
        return 2
    finally:
        os.umask(umask)


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
