"""Every file the workbench writes: whole or not at all, and readable only by its owner.

Why: a provider's data, the check reports, the quarantine, the workshop record and the audit key sit on
shared machines, and a run can be stopped at any moment (Ctrl-C, a closed laptop, kill -9). So:

* **Atomic**: a file is written to a temporary file in the same folder (``.<name>.<random>.part``),
  flushed and ``fsync``-ed, then renamed over the target (``os.replace``, atomic on POSIX file systems)
  and the folder is ``fsync``-ed. A reader, or the next run, sees either the old complete file or the new
  complete file, never a part. A run killed mid-write can leave a hidden ``.part`` file (owner-only);
  it is never the output, and the next write of the same file removes ones older than an hour.
* **Private**: files are created ``0600`` and the folders we create ``0700``, whatever the umask. A file
  replaced by a new version takes the new file's ``0600``. Folders that already exist keep their
  permissions (they are the user's choice, e.g. the current folder).
* **Together**: :class:`AtomicFiles` prepares several files completely before renaming any of them, and
  renames them in a stated order, so a report (renamed last) never describes a quarantine file that is
  not yet in place. See its docstring for the exact guarantee.

Use :func:`write_text` / :func:`write_bytes` for content in memory, :func:`atomic_open` for a stream,
:func:`atomic_path` for libraries that want a file name (``to_parquet``), :func:`private_dir` for
folders and :func:`private_file` for a file another library opens itself (SQLite).
"""

from __future__ import annotations

import contextlib
import os
import secrets
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import IO, Any

from dpup_eval.errors import FileWriteError

__all__ = [
    "FILE_MODE",
    "FOLDER_MODE",
    "AtomicFiles",
    "atomic_open",
    "atomic_path",
    "private_dir",
    "private_file",
    "write_bytes",
    "write_text",
]

FILE_MODE = 0o600
FOLDER_MODE = 0o700
STALE_PART_SECONDS = 3600


def private_dir(path: Path | str) -> Path:
    """Create ``path`` and any missing parents as ``0700`` folders; existing folders are left as they are."""
    path = Path(path)
    missing = []
    probe = path
    while not probe.exists():
        missing.append(probe)
        if probe.parent == probe:
            break
        probe = probe.parent
    if not probe.is_dir():
        raise FileWriteError(path, f"{probe} is a file, not a folder")
    for folder in reversed(missing):
        try:
            with contextlib.suppress(FileExistsError):  # another process made it first
                folder.mkdir(mode=FOLDER_MODE)
                folder.chmod(FOLDER_MODE)  # mkdir's mode is reduced by the umask
        except OSError as exc:
            raise FileWriteError(path, f"the folder cannot be made ({exc.strerror})") from None
    return path


def private_file(path: Path | str) -> Path:
    """Make sure ``path`` exists, creating it empty with ``0600`` if it does not (for SQLite and the like).

    SQLite gives its ``-wal`` and ``-shm`` files the permissions of the database file, so creating the
    database this way keeps all three owner-only.
    """
    path = Path(path)
    private_dir(path.parent)
    with contextlib.suppress(FileExistsError):
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, FILE_MODE))
    return path


def _fsync_dir(folder: Path) -> None:
    """Make a rename durable: fsync the folder that holds the file (not possible on every platform)."""
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        with contextlib.suppress(OSError):
            os.fsync(fd)
    finally:
        os.close(fd)


def _new_part(target: Path) -> tuple[int, Path]:
    """An exclusive, ``0600`` temporary file beside ``target``: (open descriptor, its path)."""
    private_dir(target.parent)
    while True:
        part = target.with_name(f".{target.name}.{secrets.token_hex(4)}.part")
        try:
            return os.open(part, os.O_WRONLY | os.O_CREAT | os.O_EXCL, FILE_MODE), part
        except FileExistsError:  # pragma: no cover - 32 random bits collided
            continue
        except OSError as exc:
            raise FileWriteError(target, f"cannot be written there ({exc.strerror})") from None


def _remove_stale_parts(target: Path) -> None:
    """Hidden parts of ``target`` left by runs that were killed more than an hour ago."""
    cutoff = time.time() - STALE_PART_SECONDS
    for part in target.parent.glob(f".{target.name}.*.part"):
        with contextlib.suppress(OSError):
            if part.stat().st_mtime < cutoff:
                part.unlink()


def _commit(part: Path, target: Path) -> None:
    part.chmod(FILE_MODE)  # a library may have re-created the file at our path with its own mode
    part.replace(target)
    _fsync_dir(target.parent)
    _remove_stale_parts(target)


def _sync_file(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


@contextlib.contextmanager
def atomic_path(target: Path | str, *, replace: bool = True) -> Iterator[Path]:
    """A temporary path beside ``target`` to write to; put into place only if the block succeeds.

    For libraries that take a file name (``DataFrame.to_parquet(tmp)``, ``sqlite3.connect(tmp)``). The
    temporary file already exists (empty, ``0600``) when the block starts. On an exception it is removed
    and ``target`` is untouched. With ``replace=False`` the finished file is linked into place only if
    ``target`` does not exist yet: when several processes create the same file at once, the first whole
    one wins and is never replaced (a new database, for instance); ``target`` is never seen empty or part.
    """
    target = Path(target)
    fd, part = _new_part(target)
    os.close(fd)
    try:
        yield part
        _sync_file(part)
        if replace:
            _commit(part, target)
        else:
            part.chmod(FILE_MODE)
            with contextlib.suppress(FileExistsError):  # someone else's whole file is already there
                os.link(part, target)
            _fsync_dir(target.parent)
    finally:
        with contextlib.suppress(OSError):
            part.unlink()  # already renamed (nothing to remove), linked, or the block failed


@contextlib.contextmanager
def atomic_open(target: Path | str, mode: str = "wb", encoding: str | None = None,
                newline: str | None = None) -> Iterator[IO[Any]]:
    """``open()`` for writing, atomically: the handle writes a temporary file renamed over ``target`` on success.

    ``mode`` is ``"wb"`` or ``"w"`` (text: ``encoding`` defaults to UTF-8).
    """
    if mode not in ("w", "wb"):
        raise ValueError(f"atomic_open writes a whole new file: mode must be 'w' or 'wb', not {mode!r}")
    target = Path(target)
    fd, part = _new_part(target)
    try:
        if mode == "w":
            handle: IO[Any] = os.fdopen(fd, "w", encoding=encoding or "utf-8", newline=newline)
        else:
            handle = os.fdopen(fd, "wb")
    except BaseException:
        os.close(fd)
        part.unlink()
        raise
    try:
        with handle:
            yield handle
            handle.flush()
            os.fsync(handle.fileno())
        _commit(part, target)
    except BaseException:
        with contextlib.suppress(OSError):
            part.unlink()
        raise


def write_bytes(target: Path | str, data: bytes) -> Path:
    """Write ``data`` to ``target`` atomically, owner-only. Returns ``target``."""
    with atomic_open(target, "wb") as handle:
        handle.write(data)
    return Path(target)


def write_text(target: Path | str, text: str, encoding: str = "utf-8") -> Path:
    """Write ``text`` to ``target`` atomically, owner-only (UTF-8 by default, line ends as given)."""
    return write_bytes(target, text.encode(encoding))


class AtomicFiles:
    """Several files prepared completely, then renamed into place in the order they were added.

    Use it when files describe each other (a report and the quarantine it counts)::

        with AtomicFiles(replaces_last=[json_report]) as out:
            write_csv(out.path(quarantine_csv), ...)
            out.text(json_report, report.to_json())

    Nothing is renamed until the block ends without an exception; then every part is ``fsync``-ed, the
    files in ``replaces_last`` that already exist are removed, and the parts are renamed in order. So at
    any moment each file is either its old complete version or its new complete version, and a file in
    ``replaces_last`` (a report, added last) is either absent, old while every other file is still old,
    or new while every other file is already new: never an old report beside new data, never a new report
    beside old data. If the process dies during the (sub-millisecond) renames, the report is absent
    rather than wrong. Files in ``replaces_last`` are renamed after all the others, whatever the order
    they were added in.
    """

    def __init__(self, replaces_last: list[Path] | None = None) -> None:
        self._parts: list[tuple[Path, Path]] = []
        self._replaces_last = [Path(p) for p in replaces_last or []]

    def __enter__(self) -> AtomicFiles:
        return self

    def path(self, target: Path | str) -> Path:
        """A temporary path to write ``target``'s content to (it exists, empty, ``0600``)."""
        target = Path(target)
        fd, part = _new_part(target)
        os.close(fd)
        self._parts.append((part, target))
        return part

    def write(self, target: Path | str, writer: Callable[[IO[bytes]], None]) -> None:
        """Prepare ``target`` by calling ``writer`` with an open binary handle."""
        with open(self.path(target), "wb") as handle:  # noqa: PTH123 - a part we created
            writer(handle)

    def text(self, target: Path | str, text: str, encoding: str = "utf-8") -> None:
        self.path(target).write_bytes(text.encode(encoding))

    def __exit__(self, kind: object, exc: object, tb: object) -> None:
        if kind is not None:
            for part, _ in self._parts:
                with contextlib.suppress(OSError):
                    part.unlink()
            return
        try:
            for part, _ in self._parts:
                _sync_file(part)
            targets = {target for _, target in self._parts}
            for stale in self._replaces_last:
                if stale in targets and stale.exists():
                    stale.unlink()
        except BaseException:
            for part, _ in self._parts:
                with contextlib.suppress(OSError):
                    part.unlink()
            raise
        last = set(self._replaces_last)
        ordered = sorted(self._parts, key=lambda p: p[1] in last)  # stable: the order given otherwise
        for done, (part, target) in enumerate(ordered):
            try:
                _commit(part, target)
            except BaseException:
                for rest, _ in ordered[done:]:
                    with contextlib.suppress(OSError):
                        rest.unlink()
                raise
