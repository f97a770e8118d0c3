"""`dpup-eval demo ...`: the built-in, made-up Best foot forward programme, asked for by name.

Nothing else in the command line falls back to the demo; these commands are how it is asked for
(`make run` is `dpup-eval demo workshop`).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Annotated

import typer

from dpup_eval.cli.common import OptionGroup, grouped, say

__all__ = ["demo_app", "register"]

demo_app = typer.Typer(help="The built-in demo programme (Best foot forward, made-up data).", no_args_is_help=True)

FamiliesOpt = Annotated[int, typer.Option(help="How many families take part.")]
QuartersOpt = Annotated[int, typer.Option(help="How many quarters of enrolments.")]
SeedOpt = Annotated[int, typer.Option(help="Random seed: the same seed writes the same bytes.")]


@dataclass(frozen=True)
class DemoShape(OptionGroup):
    """How much made-up data: the key map must be made with the same options as the data it keys."""

    families: FamiliesOpt = 300
    quarters: QuartersOpt = 4
    seed: SeedOpt = 2026

    def options(self, messy: bool = False):  # -> DemoOptions
        from dpup_eval.demo.generator import DemoOptions

        try:
            return DemoOptions(**asdict(self), messy=messy)
        except ValueError as exc:
            raise typer.BadParameter(str(exc)) from None


def demo_programme_dir() -> Path:
    """The demo programme's folder (contracts, indicators, programme.yaml)."""
    from dpup_eval.agreement.contract import default_contract_dir

    return default_contract_dir()


@demo_app.command("programme")
def demo_programme() -> None:
    """Print the demo programme's folder (give it to any command as --programme)."""
    print(demo_programme_dir())


@demo_app.command("data")
@grouped
def demo_data(
    outdir: Annotated[Path, typer.Argument(help="Folder to write evaluation.csv and service_reporting.csv into.")],
    *,
    shape: DemoShape,
    messy: Annotated[bool, typer.Option("--messy", help="Plant known problems and list them in manifest.json.")] = False,
) -> None:
    """Write realistic, made-up demo data (nobody in it is real)."""
    from dpup_eval.demo.generator import write_demo_data

    files = write_demo_data(outdir, shape.options(messy), progress=say)
    for path in (files.evaluation, files.service_reporting, files.manifest):
        if path is not None:
            print(path)


@demo_app.command("check")
def demo_check(
    outdir: Annotated[Path, typer.Option(help="Where the demo data and reports go.")] = Path("demo-data"),
) -> None:
    """The main job on the demo: generate its data, then check both files against its agreement."""
    from dpup_eval.agreement.programme import Programme
    from dpup_eval.demo.generator import DemoOptions, write_demo_data
    from dpup_eval.files import write_text
    from dpup_eval.intake.loading import load

    programme = Programme.load(demo_programme_dir())
    files = write_demo_data(outdir, DemoOptions(), progress=say)
    worst = 0
    for purpose, path in (("evaluation", files.evaluation), ("service_reporting", files.service_reporting)):
        say(f"Checking {path.name} for {purpose} ...")
        result = load(path, programme.for_purpose(purpose), purpose)
        html = outdir / f"{purpose}-report.html"
        write_text(html, result.report.to_html())
        print(result.report.to_summary())
        print(f"  report: {html}")
        worst = max(worst, result.report.exit_code)
    raise typer.Exit(worst)


@demo_app.command("workshop")
def demo_workshop(
    folder: Annotated[Path, typer.Option("--folder", help="The workshop's folder (demo data, record, pages).")] = Path(
        "workshop-data"),
    port: Annotated[int | None, typer.Option("--port", help="Default: the first free port from 8866.")] = None,
    lan: Annotated[bool, typer.Option("--lan", help="Let the room join over its network (prints a join code).")] = False,
    tls: Annotated[bool, typer.Option("--tls", help="Serve over HTTPS with a certificate made on this laptop "
                                      "(prints its fingerprint). Use with --lan.")] = False,
    pool_size: Annotated[int, typer.Option("--pool-size", help="Kernels kept ready per page.")] = 2,
) -> None:
    """A workshop on made-up demo data (generated on first run). Ctrl-C stops it."""
    from dpup_eval.demo.generator import DemoOptions, write_demo_data
    from dpup_eval.workshop.server import run_workshop

    data = folder / "demo-data"
    if not (data / "evaluation.csv").is_file():
        say(f"Making up demo data (nobody in it is real) in {data} ...")
        write_demo_data(data, DemoOptions())
    raise typer.Exit(run_workshop(data / "evaluation.csv", demo_programme_dir(), None, port, lan, folder=folder,
                                  pool_size=pool_size, tls=tls, say=lambda message: print(message, flush=True)))


@demo_app.command("key-map")
@grouped
def demo_key_map(
    out: Annotated[Path, typer.Argument(help="Where to write the key map CSV.")],
    *,
    shape: DemoShape,
) -> None:
    """Write the provider's key map for demo data made with the same options (not for --messy data)."""
    from dpup_eval.demo.key_map import write_demo_key_map

    print(write_demo_key_map(out, shape.options()))


def register(app: typer.Typer) -> None:
    """Add `demo ...`, and the old names `demo-data` and `request demo-key-map` (hidden) for scripts."""
    from dpup_eval.cli.rights import request_app

    app.add_typer(demo_app, name="demo")
    app.command("demo-data", hidden=True)(demo_data)
    request_app.command("demo-key-map", hidden=True)(demo_key_map)
