"""Keyed seals and checkpoints for the audit log: what a hash chain alone cannot show.

Why: the chain in :mod:`dpup_eval.audit` has no secret. Anyone who can write the file can cut its tail,
empty it, or rewrite an entry and re-hash everything after it, and the result is again a valid chain. So
the workbench keeps a secret **key** outside the log (``audit.key`` in its own folder, see
:func:`dpup_eval.paths.dpup_home`, created ``0600`` on first use) and uses it twice:

* every entry carries a **seal**: HMAC-SHA256(key, ``"entry:" + hash``). An entry added or changed without
  the key has no seal, or a seal that does not match;
* after every entry a **checkpoint** is appended to a second file beside the log
  (``audit.checkpoints.jsonl`` for ``audit.jsonl``): the entry count, the last hash, the time and
  HMAC-SHA256(key, ``"checkpoint:" + canonical JSON``). ``dpup-eval audit checkpoint`` writes one on demand.
  Checking the log against its checkpoints shows a cut tail (the log ends before a checkpoint), an emptied
  or deleted log, and a rewritten tail (the entry at a checkpoint no longer has the sealed hash).

What this still cannot show, stated plainly:

* **someone holding the key** (anyone who can read ``audit.key``: the same login, or an administrator) can
  rewrite the log, re-seal it and rewrite the checkpoints: nothing stored on this machine can tell;
* someone who can write both files can **roll them back together** to an earlier state (cut the log and
  the checkpoints at the same point, or restore an old copy of both), and removing the log, the
  checkpoints *and* the key together looks like a workbench that never recorded anything. Against these,
  keep the head printed by ``audit verify`` / ``audit checkpoint`` somewhere else (a report, an e-mail to
  the agency) and check with ``audit verify --head``.

Entries written before sealing existed have no seal; the first checkpoint written afterwards vouches for
them (the chain binds them to its hash), so an upgraded log verifies.
"""

from __future__ import annotations

import contextlib
import hashlib
import hmac
import json
import os
import secrets
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from dpup_eval.errors import DpupEvalError
from dpup_eval.files import FILE_MODE, atomic_path, private_dir
from dpup_eval.paths import dpup_home

__all__ = [
    "AuditCheckpoint",
    "AuditKey",
    "AuditKeyError",
    "checkpoint_path",
    "default_key_path",
]

_HEX64 = r"^[0-9a-f]{64}$"


class AuditKeyError(DpupEvalError):
    """The audit key is missing or unreadable where sealed entries say there was one."""


def default_key_path() -> Path:
    """``audit.key`` in the workbench's folder: outside the log, owner-only."""
    return dpup_home() / "audit.key"


def checkpoint_path(log_path: Path) -> Path:
    """The checkpoint file kept beside a log: ``audit.jsonl`` -> ``audit.checkpoints.jsonl``."""
    return log_path.with_name(f"{log_path.stem}.checkpoints{log_path.suffix or '.jsonl'}")


def _canonical(obj: Any) -> bytes:
    return json.dumps(obj, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


class AuditKey:
    """The secret that seals entries and checkpoints (32 random bytes, hex, in a ``0600`` file)."""

    def __init__(self, secret: bytes, path: Path) -> None:
        self._secret = secret
        self.path = path

    @classmethod
    def load(cls, path: Path | None = None) -> AuditKey | None:
        """The key at ``path`` (default :func:`default_key_path`), or None if there is none yet."""
        path = Path(path or default_key_path())
        try:
            text = path.read_text(encoding="ascii").strip()
        except FileNotFoundError:
            return None
        except (OSError, UnicodeDecodeError) as exc:
            raise AuditKeyError(f"{path}: the audit key cannot be read ({type(exc).__name__})") from None
        try:
            secret = bytes.fromhex(text)
        except ValueError:
            secret = b""
        if len(secret) < 32:
            raise AuditKeyError(f"{path}: this is not an audit key (expected 64 hex digits)")
        return cls(secret, path)

    @classmethod
    def create(cls, path: Path | None = None) -> AuditKey:
        """Make a new key, unless another process made one first (then that one is returned)."""
        path = Path(path or default_key_path())
        with atomic_path(path, replace=False) as part:  # "create if absent": never two different keys
            part.write_text(secrets.token_hex(32) + "\n", encoding="ascii")
        key = cls.load(path)
        assert key is not None
        return key

    def _mac(self, domain: str, message: bytes) -> str:
        return hmac.new(self._secret, domain.encode() + b":" + message, hashlib.sha256).hexdigest()

    def seal(self, entry_hash: str) -> str:
        """The seal an entry with this hash carries."""
        return self._mac("entry", entry_hash.encode())

    def checks_seal(self, entry_hash: str, seal: str) -> bool:
        return hmac.compare_digest(self.seal(entry_hash), seal)

    def checkpoint(self, seq: int, head_hash: str, at: str) -> AuditCheckpoint:
        body: dict[str, int | str] = {"seq": seq, "hash": head_hash, "at": at}
        return AuditCheckpoint(seq=seq, hash=head_hash, at=at, mac=self._mac("checkpoint", _canonical(body)))

    def checks_checkpoint(self, point: AuditCheckpoint) -> bool:
        return hmac.compare_digest(self.checkpoint(point.seq, point.hash, point.at).mac, point.mac)


class AuditCheckpoint(BaseModel):
    """The log's head at one moment (entry count and last hash), with the key's signature over it."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    seq: int = Field(ge=0, description="How many entries the log had (the last entry's seq)")
    hash: str = Field(pattern=_HEX64, description="The last entry's hash (64 zeros for an empty log)")
    at: str = Field(description="UTC time, ISO 8601")
    mac: str = Field(pattern=_HEX64, description="HMAC-SHA256 with the audit key")

    def line(self) -> bytes:
        return _canonical(self.model_dump()) + b"\n"


def read_checkpoints(path: Path) -> tuple[list[tuple[int, AuditCheckpoint]], list[int]]:
    """(line number, checkpoint) for every well-formed line, and the numbers of malformed lines."""
    good, bad = [], []
    with contextlib.suppress(FileNotFoundError), path.open("rb") as handle:
        for number, raw in enumerate(handle, start=1):
            try:
                good.append((number, AuditCheckpoint.model_validate(json.loads(raw))))
            except (ValueError, ValidationError):
                bad.append(number)
    return good, bad


def last_checkpoint(path: Path) -> AuditCheckpoint | None:
    """The last line of the checkpoint file, if it is a checkpoint (its key is not checked here)."""
    try:
        with path.open("rb") as handle:
            handle.seek(0, os.SEEK_END)
            size = handle.tell()
            handle.seek(max(0, size - 4096))
            tail = handle.read().rstrip(b"\n").rsplit(b"\n", 1)[-1]
    except FileNotFoundError:
        return None
    try:
        return AuditCheckpoint.model_validate(json.loads(tail)) if tail else None
    except (ValueError, ValidationError):
        return None


def append_checkpoint(path: Path, point: AuditCheckpoint) -> None:
    """Append one checkpoint line (one write, fsync-ed), creating the file ``0600``."""
    private_dir(path.parent)
    fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, FILE_MODE)
    try:
        os.write(fd, point.line())
        os.fsync(fd)
    finally:
        os.close(fd)
