"""One connection to a record, SQLite or PostgreSQL, and short transactions that are retried, not lost.

Why writes are not lost with thirty people pressing buttons at once (every Voila page is its own process
with its own connection):

* SQLite: WAL mode (readers never block the single writer, nor it them); ``busy_timeout`` (a writer that
  finds the file locked waits instead of failing); ``BEGIN IMMEDIATE`` (a write transaction takes the
  write lock at its start, so two writers cannot both read and then collide upgrading to a write lock);
  ``synchronous = FULL`` (a decision survives a power cut).
* PostgreSQL: every write transaction first takes one transaction-level advisory lock per record, so
  writers of a record are serialised exactly as SQLite serialises them (a decision that reads "the current
  decision" and supersedes it cannot race another); reads run in a ``REPEATABLE READ`` snapshot, as a
  SQLite read transaction does, so a page never sees half of another page's write.
* Both: a bounded retry with jittered backoff around every transaction, for a lock or a serialisation
  failure the database reports instead of waiting; then a plain :class:`RecordBusyError`.

Faults: a SQLite file that is empty (0 bytes) or is not a SQLite database is a :class:`RecordDamagedError`
naming the file and what to do, never a traceback and never a silently new, empty record. A new file is
made whole and private: built under a temporary name (0600) and linked into place, so no other process
ever opens a half-made record; folders the record layer creates are 0700.

Connections: open one :class:`Database` per process; within it, threads share its one connection under a
lock. It must not travel across ``fork``: used in another process it raises ``RuntimeError``.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import random
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING, Any, TypeVar

import sqlalchemy as sa

from dpup_eval.errors import DpupEvalError

if TYPE_CHECKING:
    from sqlalchemy.engine import Connection

__all__ = ["Database", "RecordBusyError", "RecordDamagedError", "RecordError", "inserted_id", "is_url"]

T = TypeVar("T")

MAX_ATTEMPTS = 8  # each attempt already waits up to busy_timeout inside SQLite
FIRST_BACKOFF_S = 0.01
MAX_BACKOFF_S = 0.5
SQLITE_HEADER = b"SQLite format 3\x00"
#: Written into every SQLite record this layer creates (``PRAGMA application_id``): "DPUP".
APPLICATION_ID = 0x44505550
_SQLITE_BUSY = {5, 6}  # SQLITE_BUSY, SQLITE_LOCKED (primary codes)
_SQLITE_DAMAGED = {11, 26}  # SQLITE_CORRUPT, SQLITE_NOTADB
#: PostgreSQL: serialization_failure, deadlock_detected, lock_not_available: worth another try.
_PG_RETRY = {"40001", "40P01", "55P03"}


class RecordError(DpupEvalError):
    """A record that cannot be opened or used; the message names it and says what to do."""


class RecordBusyError(RecordError):
    """The record stayed locked by another program through every retry."""


class RecordDamagedError(RecordError):
    """The record's file is empty or is not a readable database: nothing was changed."""


def is_url(target: object) -> bool:
    """Whether a ``--db`` value is a database URL (``postgresql://...``) rather than a file path."""
    return "://" in os.fspath(target) if isinstance(target, str | os.PathLike) else False


class Database:
    """One record: a SQLite file (a path, or ``sqlite:///path``) or a PostgreSQL database (a URL).

    ``what`` names the record in messages ("The workshop record"); ``lock_name`` keys the PostgreSQL
    advisory lock (records sharing one PostgreSQL database lock independently); ``recover`` is appended
    to a damaged-file message (how to restore this kind of record).
    """

    def __init__(
        self,
        target: str | os.PathLike[str],
        *,
        what: str,
        lock_name: str,
        recover: str = "",
        timeout_s: float = 30.0,
    ) -> None:
        self.what = what
        self.timeout_s = timeout_s
        self._recover = recover
        self._lock = threading.RLock()
        self._pid = os.getpid()
        self._lock_key = int.from_bytes(hashlib.blake2b(lock_name.encode(), digest_size=8).digest(), "big", signed=True)
        url = _url(target)
        self.dialect = url.get_backend_name()
        self.path: Path | None = Path(url.database).resolve() if self.dialect == "sqlite" and url.database else None
        self.location = str(self.path) if self.path else url.render_as_string(hide_password=True)
        if self.dialect == "sqlite":
            if self.path is None:
                raise RecordError(f"{what}: give a file for the SQLite database (not an in-memory one).")
            self._prepare_sqlite_file(self.path)
            url = url.set(database=str(self.path))
            connect_args: dict[str, object] = {"timeout": timeout_s, "check_same_thread": False}
        elif self.dialect == "postgresql":
            url = url.set(drivername="postgresql+psycopg")
            connect_args = {"connect_timeout": max(1, int(timeout_s))}
        else:
            raise RecordError(
                f"{what}: {self.location} is neither a SQLite file nor a postgresql:// URL."
            )
        self._engine = sa.create_engine(url, poolclass=sa.NullPool, connect_args=connect_args)
        self._driver_errors: tuple[type[Exception], ...] = (self._engine.dialect.loaded_dbapi.Error,)
        try:
            self._conn = self._retry(self._connect)
        except BaseException:
            self._engine.dispose()
            raise

    @property
    def lock_key(self) -> int:
        """PostgreSQL: the advisory lock every write transaction of this record takes first."""
        return self._lock_key

    # --- opening ------------------------------------------------------------------------------------

    def _connect(self) -> Connection:
        try:
            conn = self._engine.connect().execution_options(isolation_level="AUTOCOMMIT")
        except sa.exc.DBAPIError as exc:
            if self.dialect == "postgresql" and not _retryable(exc):
                raise RecordError(
                    f"{self.what}: cannot connect to {self.location}: {_first_line(exc.orig)}"
                ) from None
            raise
        try:
            if self.dialect == "sqlite":
                conn.exec_driver_sql(f"PRAGMA busy_timeout = {int(self.timeout_s * 1000)}")
                mode = conn.exec_driver_sql("PRAGMA journal_mode = WAL").scalar()
                if mode != "wal":
                    raise RecordError(
                        f"SQLite could not use WAL mode for {self.location} (got {mode!r}); "
                        "put the database on a local disk."
                    )
                conn.exec_driver_sql("PRAGMA synchronous = FULL")
                conn.exec_driver_sql("PRAGMA foreign_keys = ON")
            else:  # waits for a lock are bounded, as SQLite's busy timeout bounds them
                conn.exec_driver_sql(f"SET lock_timeout = {int(self.timeout_s * 1000)}")
        except BaseException as exc:
            conn.close()
            if isinstance(exc, sa.exc.DBAPIError):
                raise self._translate(exc) from None
            raise
        return conn

    def _prepare_sqlite_file(self, path: Path) -> None:
        """Refuse an empty or foreign file; make a missing one, whole and private, before anyone opens it."""
        if path.exists():
            self._check_sqlite_file(path)
            if path.stat().st_uid == os.getuid() and path.stat().st_mode & 0o077:
                path.chmod(0o600)  # a record made before records were private
            return
        import sqlite3  # the standard library; already imported by SQLAlchemy's SQLite dialect

        from dpup_eval.files import atomic_path

        with atomic_path(path, replace=False) as temporary:  # never replaces a record another process made
            raw = sqlite3.connect(temporary)
            try:  # writes the header page: the file is never seen empty
                raw.execute(f"PRAGMA application_id = {APPLICATION_ID}")
                raw.commit()
            finally:
                raw.close()

    def _check_sqlite_file(self, path: Path) -> None:
        size = path.stat().st_size
        wal = path.with_name(path.name + "-wal")
        if size == 0 and not (wal.exists() and wal.stat().st_size > 0):
            raise self._damaged("is empty (0 bytes)")
        if size:
            with path.open("rb") as handle:
                if handle.read(len(SQLITE_HEADER)) != SQLITE_HEADER:
                    raise self._damaged("is not a SQLite database")

    def _damaged(self, problem: str) -> RecordDamagedError:
        advice = f" {self._recover}" if self._recover else ""
        return RecordDamagedError(f"{self.what} {self.location} {problem}; nothing was changed.{advice}")

    # --- transactions -------------------------------------------------------------------------------

    def close(self) -> None:
        with self._lock:
            self._conn.close()
            self._engine.dispose()

    def __enter__(self) -> Database:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()

    @contextlib.contextmanager
    def foreign_keys_off(self) -> Iterator[None]:
        """SQLite: foreign keys off between transactions, for a migration that rebuilds a table (which must
        check them itself before it commits); on again afterwards. Other databases: nothing to do."""
        if self.dialect != "sqlite":
            yield
            return
        with self._lock:
            self._conn.exec_driver_sql("PRAGMA foreign_keys = OFF")
            try:
                yield
            finally:
                self._conn.exec_driver_sql("PRAGMA foreign_keys = ON")

    def write(self, body: Callable[[Connection], T]) -> T:
        """Run ``body`` in one write transaction (retried as a whole if the database asks)."""
        return self.transaction(body, write=True)

    def read(self, body: Callable[[Connection], T]) -> T:
        """Run ``body`` in one read transaction: it sees one consistent snapshot."""
        return self.transaction(body, write=False)

    def transaction(self, body: Callable[[Connection], T], *, write: bool) -> T:
        if os.getpid() != self._pid:
            raise RuntimeError("A record connection cannot be shared across processes; open one per process.")
        conn = self._conn
        # BEGIN, the lock and COMMIT go straight to the driver (sqlite3 and psycopg both have execute()):
        # SQLAlchemy's statement machinery costs more than the statements themselves on a polling read.
        driver = conn.connection.driver_connection

        def attempt() -> T:
            try:
                driver.execute(self._begin(write))  # type: ignore[union-attr]
                try:
                    if write and self.dialect == "postgresql":
                        driver.execute(f"SELECT pg_advisory_xact_lock({self._lock_key})")  # type: ignore[union-attr]
                    result = body(conn)
                    driver.execute("COMMIT")  # type: ignore[union-attr]
                except BaseException:
                    self._rollback()
                    raise
            except self._driver_errors as exc:  # raised by the driver itself, not through SQLAlchemy
                raise sa.exc.DBAPIError.instance(None, None, exc, self._driver_errors[0]) from exc
            return result

        with self._lock:
            return self._retry(attempt)

    def _begin(self, write: bool) -> str:
        if self.dialect == "sqlite":
            return "BEGIN IMMEDIATE" if write else "BEGIN"
        return "BEGIN ISOLATION LEVEL READ COMMITTED" if write else "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY"

    def _rollback(self) -> None:
        driver = self._conn.connection.driver_connection
        if self.dialect == "sqlite":
            active = bool(getattr(driver, "in_transaction", False))
        else:
            active = int(driver.info.transaction_status) != 0  # type: ignore[union-attr]  # 0: IDLE
        if active:
            driver.execute("ROLLBACK")  # type: ignore[union-attr]

    def _retry(self, attempt: Callable[[], T]) -> T:
        """Run ``attempt`` again, after a jittered backoff, while the database reports a lock or conflict."""
        delay = FIRST_BACKOFF_S
        for n in range(MAX_ATTEMPTS):
            try:
                return attempt()
            except sa.exc.DBAPIError as exc:
                if not _retryable(exc):
                    translated = self._translate(exc)
                    if translated is exc:
                        raise
                    raise translated from None
                if n == MAX_ATTEMPTS - 1:
                    raise RecordBusyError(
                        f"{self.what} {self.location} is busy: another program kept it locked through "
                        f"{MAX_ATTEMPTS} tries. Nothing was recorded; try again, and close any other "
                        "program that has it open."
                    ) from exc
            time.sleep(delay * random.uniform(0.5, 1.5))
            delay = min(delay * 2, MAX_BACKOFF_S)
        raise AssertionError("unreachable")

    def _translate(self, exc: sa.exc.DBAPIError) -> Exception:
        """A damaged file becomes a plain :class:`RecordDamagedError`; anything else passes unchanged."""
        code = getattr(exc.orig, "sqlite_errorcode", None)
        if self.dialect == "sqlite" and code is not None and code & 0xFF in _SQLITE_DAMAGED:
            return self._damaged("is damaged (not a readable SQLite database)")
        return exc


def inserted_id(result: sa.CursorResult[Any]) -> int:
    """The id the database gave the row a single-row INSERT just made."""
    key = result.inserted_primary_key
    if key is None or key[0] is None:
        raise RecordError("The database did not say which id it gave the new row.")
    return int(key[0])


def _url(target: str | os.PathLike[str]) -> sa.URL:
    if is_url(target):
        try:
            return sa.make_url(os.fspath(target))
        except sa.exc.ArgumentError:
            raise RecordError(f"Not a database URL: {os.fspath(target)!r}.") from None
    return sa.URL.create("sqlite", database=str(Path(target).expanduser()))


def _retryable(exc: sa.exc.DBAPIError) -> bool:
    orig = exc.orig
    code = getattr(orig, "sqlite_errorcode", None)
    if code is not None:
        return code & 0xFF in _SQLITE_BUSY
    sqlstate = getattr(orig, "sqlstate", None)
    if sqlstate is not None:
        return sqlstate in _PG_RETRY
    text = str(orig)
    return "database is locked" in text or "database table is locked" in text


def _first_line(value: object) -> str:
    return str(value).strip().splitlines()[0] if str(value).strip() else type(value).__name__
