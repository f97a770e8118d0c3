"""`dpup-eval workshop`: run a workshop, and export or import its record.

`dpup-eval workshop --programme DIR --data FILE [options]` serves the pages; `dpup-eval workshop export` writes the whole
record (every workshop, all history) to one JSON file, and `dpup-eval workshop import` loads such a file
into a new, empty record: the way back from a damaged file, and the way from a laptop's SQLite file to an
agency's PostgreSQL database.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from dpup_eval.cli.programme_option import ContractAliasOpt, ProgrammeOpt, resolve_programme
from dpup_eval.errors import DpupEvalError

__all__ = ["register", "workshop_app"]

workshop_app = typer.Typer(
    help="Run a workshop (the Success measures and Findings pages, served with Voila; Ctrl-C stops it), "
    "or export/import its record.",
    invoke_without_command=True,
)
DEFAULT_DB = Path("workshop-data") / "workshop.sqlite"
DbOpt = Annotated[
    str | None,
    typer.Option("--db", help="The workshop record: a SQLite file, or a postgresql://user@host/database URL "
                 "(needs the postgresql extra). Default: workshop-data/workshop.sqlite"),
]  # fmt: skip


@workshop_app.callback()
def workshop(
    ctx: typer.Context,
    data: Annotated[Path | None, typer.Option("--data", help="The data file to evaluate together (CSV, Excel or "
                                              "Parquet; any name), or a folder holding <purpose>.csv/.xlsx/"
                                              ".parquet. Needed to run a workshop.")] = None,
    programme: ProgrammeOpt = None,
    contract: ContractAliasOpt = None,
    purpose: Annotated[str | None, typer.Option("--purpose", help="The purpose the data is for. Default: "
                                                "the workshop purpose in programme.yaml.")] = None,
    db: DbOpt = None,
    new: Annotated[bool, typer.Option("--new", help="Start a new workshop. A SQLite record in the way (say, a "
                                      "damaged one) is moved aside, never deleted.")] = False,
    port: Annotated[int | None, typer.Option("--port", help="Default: the first free port from 8866.")] = None,
    lan: Annotated[bool, typer.Option("--lan", help="Let the room join over its network (phones on the same "
                                      "Wi-Fi); prints a join code without which nobody sees anything.")] = False,
    tls: Annotated[bool, typer.Option("--tls", help="Serve over HTTPS with a certificate made on this laptop "
                                      "(kept in the workshop folder); prints its fingerprint for the room to "
                                      "check. Use with --lan.")] = False,
    folder: Annotated[Path | None, typer.Option("--folder", help="Where the workshop keeps its files (checked "
                                                "data, record, reports, backups, server.log). Default: "
                                                "./workshop-data")] = None,
    pool_size: Annotated[int, typer.Option("--pool-size", help="Success measures pages built in advance for "
                                           "people joining (each about 70-100 MB of memory while it waits): this "
                                           "many can join at the same moment without waiting. 0: none.")] = 10,
    stories: Annotated[str | None, typer.Option("--stories", help="The story register for the Stories page (a "
                                                "SQLite file or postgresql:// URL). Default: "
                                                "$DPUP_EVAL_HOME/stories.sqlite if it exists.")] = None,
) -> None:  # fmt: skip
    """Run a workshop: the Success measures and Findings pages, served with Voila. Ctrl-C stops it.

    A backup of the record (JSON) is written to the workshop folder's backups/ at every start.
    """
    if ctx.invoked_subcommand is not None:
        return
    from dpup_eval.workshop.server import run_workshop

    if data is None:
        raise typer.BadParameter("give the data file to evaluate together", param_hint="--data")
    chosen = resolve_programme(programme, contract)
    if stories:  # the pages' kernels inherit the server's environment
        import os

        from dpup_eval.workshop.stories import STORIES_ENV

        os.environ[STORIES_ENV] = stories

    raise typer.Exit(run_workshop(data, chosen.folder, db, port, lan, purpose=purpose, pool_size=pool_size,
                                  new=new, tls=tls, folder=folder,
                                  say=lambda message: print(message, flush=True)))  # fmt: skip


@workshop_app.command("export")
def export(
    out: Annotated[Path, typer.Argument(help="The JSON file to write (UTF-8; owner-only).")],
    db: DbOpt = None,
) -> None:
    """Write the whole workshop record (every workshop, all history) to one JSON file."""
    from dpup_eval.records import is_url
    from dpup_eval.workshop import WorkshopStore

    target = db or str(DEFAULT_DB)
    if not is_url(target) and not Path(target).exists():
        raise DpupEvalError(f"There is no workshop record at {target}; give it with --db.")
    with WorkshopStore(target) as store:
        store.export_json(out)
        counts = {t: len(rows) for t, rows in store.to_json()["tables"].items()}
    print(f"Exported {counts['workshops']} workshop(s), {counts['participants']} participants and "
          f"{sum(counts.values())} rows in all to {out}.")  # fmt: skip


@workshop_app.command("import")
def import_(
    source: Annotated[Path, typer.Argument(help="A JSON file written by `dpup-eval workshop export` (or a backup).")],
    db: Annotated[str, typer.Option("--db", help="The new, empty record to load it into: a SQLite file or a "
                                    "postgresql:// URL. A record that already holds anything is refused.")],
) -> None:  # fmt: skip
    """Load an exported workshop record into a new, empty database (the history comes back whole)."""
    from dpup_eval.workshop import WorkshopStore

    if "://" not in db and Path(db).exists():
        raise DpupEvalError(f"{db} already exists; import into a new file (or a new, empty database).")
    with WorkshopStore.import_json(source, db) as store:
        counts = {t: len(rows) for t, rows in store.to_json()["tables"].items()}
        where = store.location
    print(f"Imported {counts['workshops']} workshop(s) and {sum(counts.values())} rows into {where}.")


def register(app: typer.Typer) -> None:
    """Add ``workshop`` (run, export, import) to the main ``dpup-eval`` app."""
    app.add_typer(workshop_app, name="workshop")
