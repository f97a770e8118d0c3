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

from dpup_eval.errors import DpupEvalError

app = typer.Typer(
    name="dpup-eval",
    help="dpup_eval: check de-identified programme data against its agreement, and evaluate it together.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
)
contract_app = typer.Typer(help="Work with data contracts (the agreements).", no_args_is_help=True)
app.add_typer(contract_app, name="contract")


def _click_class(name: str) -> type[Exception]:
    """Typer vendors click; its exception classes are reached through the public BadParameter."""
    return next(c for c in typer.BadParameter.__mro__ if c.__name__ == name)


ClickException = _click_class("ClickException")
UsageError = _click_class("UsageError")
ContractOpt = Annotated[
    Path | None,
    typer.Option(
        "--contract",
        help="A contract file, or the agreement folder "
        "with one contract per purpose. Default: the built-in Best "
        "foot forward agreement.",
    ),
]



class Engine(StrEnum):
    """What runs the agreed rules in `check` (see `dpup_eval.intake.loading.ENGINES`)."""

    pandas = "pandas"
    duckdb = "duckdb"


def _say(message: str) -> None:
    """Progress for people, on stderr so that stdout stays machine-readable."""
    print(message, file=sys.stderr, flush=True)


def _contract_path(contract: Path | None) -> Path:
    from dpup_eval.agreement.contract import default_contract_dir

    return contract if contract is not None else default_contract_dir()


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
    purpose: Annotated[str, typer.Option("--purpose", help="What the data is for, e.g. evaluation.")],
    contract: ContractOpt = None,
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

    _say(f"Checking {file.name} for {purpose} ...")
    result = load(file, _contract_path(contract), purpose, sheet=sheet, engine=engine.value)
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
    purpose: Annotated[str, typer.Option("--purpose", help="What the data is for, e.g. evaluation.")],
    indicators: Annotated[Path | None, typer.Option("--indicators", help="Indicator definitions (YAML). Default: "
                                                    "indicators.yaml beside the contract.")] = None,
    contract: ContractOpt = None,
    by: Annotated[list[str] | None, typer.Option("--by", help="Group findings by this field (repeatable). "
                                                 "Default: each indicator's own groupings.")] = None,
    period: Annotated[str | None, typer.Option("--period", help="Field holding the period, e.g. "
                                               "enrolment_quarter, or a date field.")] = None,
    period_grain: Annotated[str | None, typer.Option("--period-grain", help="Read the period by month, quarter "
                                                     "or year (a date field: default the agreement's "
                                                     "schedule; text months can be read as quarters or "
                                                     "years).")] = None,
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
    contract_path = _contract_path(contract)
    if indicators is None:
        folder = contract_path if contract_path.is_dir() else contract_path.parent
        indicators = folder / "indicators.yaml"
    _say(f"Evaluating {file.name} for {purpose} ...")
    exports = "".join(f", {out}" for out in (json_out, html_out) if out)
    findings = evaluate_file(file, contract_path, purpose, indicators, by=by or None, period=period,
                             period_grain=period_grain,  # type: ignore[arg-type]
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


@app.command("demo-data")
def demo_data(
    outdir: Annotated[
        Path, typer.Argument(help="Folder to write evaluation.csv and service_reporting.csv into.")
    ],
    families: Annotated[int, typer.Option(help="How many families take part.")] = 300,
    quarters: Annotated[int, typer.Option(help="How many quarters of enrolments.")] = 4,
    seed: Annotated[int, typer.Option(help="Random seed: the same seed writes the same bytes.")] = 2026,
    messy: Annotated[
        bool, typer.Option("--messy", help="Plant known problems and list them in manifest.json.")
    ] = False,
) -> None:
    """Write realistic, made-up Best foot forward data (nobody in it is real)."""
    from dpup_eval.demo.generator import DemoOptions, write_demo_data

    try:
        options = DemoOptions(families=families, quarters=quarters, seed=seed, messy=messy)
    except ValueError as exc:
        raise typer.BadParameter(str(exc)) from None
    files = write_demo_data(outdir, options, progress=_say)
    for path in (files.evaluation, files.service_reporting, files.manifest):
        if path is not None:
            print(path)


@app.command()
def demo(
    outdir: Annotated[Path, typer.Option(help="Where the demo data and reports go.")] = Path("demo-data"),
) -> None:
    """The main job on the built-in demo data: generate it, then check both files against the agreement."""
    from dpup_eval.demo.generator import DemoOptions, write_demo_data
    from dpup_eval.files import write_text
    from dpup_eval.intake.loading import load

    files = write_demo_data(outdir, DemoOptions(), progress=_say)
    worst = 0
    for purpose, path in (("evaluation", files.evaluation), ("service_reporting", files.service_reporting)):
        _say(f"Checking {path.name} for {purpose} ...")
        result = load(path, _contract_path(None), purpose)
        html = outdir / f"{purpose}-report.html"
        write_text(html, result.report.to_html())
        print(result.report.to_summary())
        print(f"  report: {html}")
        worst = max(worst, result.report.exit_code)
    raise typer.Exit(worst)


@app.command()
def lab(
    port: Annotated[int | None, typer.Option(help="Port for JupyterLab (default: a free one).")] = None,
    course_dir: Annotated[Path, typer.Option(help="Your working copy of the course (created on first run; "
                                             "your work in it is kept).")] = Path("dpup-eval-course"),
    no_browser: Annotated[bool, typer.Option("--no-browser", help="Do not open a browser tab.")] = False,
) -> None:
    """Open the data-analysis course in JupyterLab (on this computer only), with the demo data ready."""
    from dpup_eval.learn.lab import run_lab

    raise typer.Exit(run_lab(port=port, course_dir=course_dir, open_browser=not no_browser, progress=_say))


@contract_app.command("draft")
def contract_draft(
    file: Annotated[Path, typer.Argument(help="A data file to profile (CSV, Excel or Parquet).")],
    purpose: Annotated[str, typer.Option("--purpose", help="The purpose the data would be shared for.")],
    recipient: Annotated[
        str, typer.Option("--recipient", help="The part of the agency that would receive it.")
    ],
    out: Annotated[
        Path | None, typer.Option("--out", help="Write the draft here instead of printing it.")
    ] = None,
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
        _say(f"Draft written to {out}; edit every TODO and remove suspected identifiers before agreeing.")
    else:
        print(text, end="")


@contract_app.command("validate")
def contract_validate(
    path: Annotated[Path, typer.Argument(help="A contract file or an agreement folder.")],
) -> None:
    """Validate contracts (ODCS schema and DPUP requirements) and list their purposes."""
    from dpup_eval.agreement.contract import Agreement

    agreement = Agreement.load(path)
    for purpose in agreement.purposes:
        c = agreement.for_purpose(purpose)
        print(
            f"{c.path.name}: purpose {purpose}, sent to {c.recipient}; {len(c.fields)} fields, "
            f"quasi-identifiers {', '.join(c.quasi_identifiers) or 'none'}, k = {c.min_group_size}"
        )


def _register_more() -> None:
    """Commands that live beside their feature modules (kept out of this file to keep it thin)."""
    from dpup_eval.cli import releases as cli_releases
    from dpup_eval.cli import rights as cli_rights
    from dpup_eval.cli import scan as cli_scan
    from dpup_eval.cli import stories as cli_stories
    from dpup_eval.cli import workshop as cli_workshop

    cli_rights.register(app)
    cli_workshop.register(app)
    cli_scan.register(app)
    cli_stories.register(app)
    cli_releases.register(app)


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
