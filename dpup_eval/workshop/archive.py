"""The workshop record as one JSON file: export, import, and the backup taken at every start.

The archive is the way back from a damaged database and the way between databases (a SQLite file on a
laptop, an agency's PostgreSQL): every table, all history, the same bytes whichever database it came from,
the co-designed agreement's tables included (from format 4; empty when no agreement was started).
Its files are written by `dpup_eval.files`: atomically and owner-only (a temporary file in the same folder,
then renamed), so a crash leaves the old file or the new one, never half of one.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa

from dpup_eval.files import private_dir, write_text
from dpup_eval.workshop import agreement_tables
from dpup_eval.workshop.agreement_tables import ARCHIVE_TABLES
from dpup_eval.workshop.records import (
    ARCHIVED,
    FORMAT_NAME,
    FORMAT_VERSION,
    TABLES,
    WorkshopError,
    check_archive,
    from_archive,
    to_archive,
)
from dpup_eval.workshop.tables import table

if TYPE_CHECKING:
    from sqlalchemy.engine import Connection

    from dpup_eval.records import Database

__all__ = ["backup", "insert_all", "rows_to_import", "set_aside", "to_json", "write_json"]

#: How many start-up backups are kept in a workshop folder's ``backups/`` (the oldest go first).
KEEP_BACKUPS = 20


def to_json(db: Database) -> dict[str, Any]:
    """Every table and all history as one JSON-ready dict, read in one snapshot."""

    def body(conn: Connection) -> dict[str, list[dict[str, Any]]]:
        out: dict[str, list[dict[str, Any]]] = {}
        kept = set(sa.inspect(conn).get_table_names())  # the agreement's tables exist once it was started
        for name, (columns, order) in ARCHIVED.items():
            if name not in kept and name in ARCHIVE_TABLES:
                out[name] = []
                continue
            t = _table(name)
            query = sa.select(*(t.c[c] for c in columns)).order_by(*(t.c[c.strip()] for c in order.split(",")))
            out[name] = [to_archive(name, columns, r) for r in conn.execute(query).mappings()]
        return out

    return {"format": FORMAT_NAME, "format_version": FORMAT_VERSION, "tables": db.read(body)}


def write_json(data: Mapping[str, Any], path: Path) -> None:
    """Write ``data`` as UTF-8 JSON, atomically and readable by its owner only."""
    write_text(path, json.dumps(data, ensure_ascii=False, indent=2) + "\n")


def rows_to_import(source: Path | str | Mapping[str, Any]) -> dict[str, list[dict[str, Any]]]:
    """An archive (a file or a dict) checked and turned into rows to insert, before any database is touched."""
    if isinstance(source, Mapping):
        data = source
    else:
        try:
            data = json.loads(Path(source).read_text(encoding="utf-8"))
        except OSError as exc:
            raise WorkshopError(f"Cannot read the workshop record {source}: {exc.strerror}.") from None
        except (UnicodeDecodeError, json.JSONDecodeError) as exc:
            raise WorkshopError(f"{source} is not a JSON workshop record ({exc}).") from None
        if not isinstance(data, Mapping):
            raise WorkshopError(f"{source} is not a workshop record.")
    tables = check_archive(data)
    return {
        name: [dict(zip(columns, from_archive(name, columns, r), strict=True)) for r in tables[name]]
        for name, (columns, _) in ARCHIVED.items()
    }


def _table(name: str) -> sa.Table:
    """A workshop table, or one of the agreement's (agreement_tables.py)."""
    return agreement_tables.metadata.tables[name] if name in ARCHIVE_TABLES else table(name)


def insert_all(conn: Connection, rows: Mapping[str, list[dict[str, Any]]], where: str, dialect: str) -> None:
    """Insert an archive's rows into an empty record (parents first); refuse a record that holds any.

    The agreement's tables must exist when the archive has rows for them (``WorkshopStore.import_json``
    creates them)."""
    kept = set(sa.inspect(conn).get_table_names())
    names = [*TABLES, *(name for name in ARCHIVE_TABLES if name in kept)]
    for name in names:
        if conn.execute(sa.select(sa.literal(1)).select_from(_table(name)).limit(1)).first() is not None:
            raise WorkshopError(f"{where} already holds a workshop record; import into a new, empty one.")
    try:
        for name in ARCHIVED:
            if rows.get(name):
                conn.execute(_table(name).insert(), rows[name])
    except sa.exc.IntegrityError as exc:
        raise WorkshopError(f"The record is not consistent, so it was not imported: {exc.orig}") from None
    except sa.exc.DataError as exc:  # PostgreSQL: a value of the wrong kind (text where JSON belongs)
        raise WorkshopError(f"The record is not consistent, so it was not imported: {exc.orig}") from None
    if dialect == "postgresql":  # ids were given, so each id sequence must move past them
        for name in (*TABLES, *(name for name in ARCHIVE_TABLES if rows.get(name))):
            if "id" in _table(name).c:
                conn.execute(sa.text(
                    f"SELECT setval(pg_get_serial_sequence('{name}', 'id'), COALESCE(MAX(id), 0) + 1, false) FROM {name}"
                ))  # fmt: skip


def backup(db: Database, folder: Path, *, keep: int = KEEP_BACKUPS) -> Path:
    """Write the whole record to ``folder/workshop-<time>.json`` (0600, folder 0700); keep the newest ``keep``."""
    private_dir(folder)
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S%fZ")
    target = folder / f"workshop-{stamp}.json"
    write_json(to_json(db), target)
    for old in sorted(folder.glob("workshop-*.json"))[:-keep]:
        old.unlink(missing_ok=True)
    return target


def set_aside(path: Path) -> Path:
    """Move a SQLite record (and its -wal/-shm files) out of the way, to start afresh; nothing is deleted."""
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    kept = path.with_name(f"{path.name}.set-aside-{stamp}")
    for suffix in ("-wal", "-shm", ""):
        source = path.with_name(path.name + suffix)
        if source.exists():
            source.rename(kept.with_name(kept.name + suffix))
    return kept
