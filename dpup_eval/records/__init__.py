"""The record layer: every database the workbench keeps (the workshop record, the request register, the
use register) opens, writes, retries and migrates the same way, on SQLite or PostgreSQL.

A base-level part of the house (like `errors` and `paths`): any stage may keep a record, so this imports
nothing from the stages, only `dpup_eval.errors`. It holds no tables of its own; each record declares its
tables and migrations beside the code that uses them (`workshop.tables`, `rights.requests`, `rights.uses`).

* `database`: :class:`Database`, one connection to a SQLite file (WAL, busy timeout, ``BEGIN IMMEDIATE``,
  bounded retries, created 0600 in a 0700 folder, refused when empty or damaged) or to a PostgreSQL
  database given a URL (one advisory lock per record serialises writers, as SQLite's write lock does).
* `migrations`: numbered migrations with a version table per record, applied in one transaction.

SQLAlchemy Core (no ORM) writes the SQL for both databases; it is imported here and only here is the
choice of driver made (psycopg 3 for PostgreSQL, imported only when a PostgreSQL URL is used).
"""

from dpup_eval.records.database import (
    Database,
    RecordBusyError,
    RecordDamagedError,
    RecordError,
    inserted_id,
    is_url,
)
from dpup_eval.records.migrations import Migration, Schema, migrate

__all__ = [
    "Database",
    "Migration",
    "RecordBusyError",
    "RecordDamagedError",
    "RecordError",
    "Schema",
    "inserted_id",
    "is_url",
    "migrate",
]
