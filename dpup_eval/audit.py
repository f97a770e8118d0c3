"""The tamper-evident audit log: who loaded, evaluated or exported which data, for which purpose, when.

Why: DPUP asks that families and partners can see what their information was used for, and a provider
that fears its data goes "into a black hole" needs to be shown, not told. Every load, evaluation and
export therefore leaves one line here. The log is *evidence*, so it must show when it has been altered:

* It is an append-only JSON Lines file. Each entry carries ``prev_hash`` (the previous entry's hash, or
  64 zeros for the first) and ``hash`` = sha256 of the canonical JSON of the entry's content including
  ``prev_hash`` (sorted keys, no spaces, UTF-8). Editing, deleting, inserting or reordering a line breaks
  the chain, and :meth:`AuditLog.verify` says which line and what kind of damage it is.
* A hash chain alone has no secret: someone who can write the file could rewrite its whole tail
  consistently, or remove the *last* entries and leave a shorter chain that is still valid. So every
  entry is also **sealed** with a key kept outside the log, and a keyed **checkpoint** of the head is
  written beside the log after every entry (:mod:`dpup_eval.audit_seal`, which also says what this
  still cannot detect). :meth:`AuditLog.verify` checks both and reports a cut tail, an emptied log,
  a rewritten tail and entries added without the key. :meth:`AuditLog.head` returns the count and last
  hash, which a report or data-sharing record can print; ``verify(expected_head=...)`` checks the log
  still contains that head (the only defence against rolling back the log and its checkpoints together).
* Writers take an exclusive ``fcntl.flock`` on the file (local file systems; NFS locking is not to be
  trusted), so several notebooks or command-line runs can record at once without forking the chain.
  Before appending, :meth:`AuditLog.record` checks the last entry: the log refuses writes that would
  extend a chain whose tail is already broken.
* The log never holds identifier values or row-level data: datasets are named by fingerprint (never by
  file name, which may contain a family's name), fields by name, and ``details`` only takes short
  scalar values such as counts.

:func:`record_use` is the one call that loads, evaluations, exports and request steps make to leave
their line, with the actor and role configured by ``DPUP_EVAL_ACTOR`` and ``DPUP_EVAL_ROLE``. The log
sits at the base of the house (beside `errors` and `paths`) because every stage records into it.
"""

from __future__ import annotations

import fcntl
import getpass
import hashlib
import json
import os
import re
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated, Any, NamedTuple

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from dpup_eval.audit_seal import (
    AuditCheckpoint,
    AuditKey,
    AuditKeyError,
    append_checkpoint,
    checkpoint_path,
    default_key_path,
    last_checkpoint,
    read_checkpoints,
)
from dpup_eval.codes import (
    AUDIT,
    AUDIT_DELETED,
    AUDIT_EDITED,
    AUDIT_EMPTIED,
    AUDIT_FORGED,
    AUDIT_INSERTED,
    AUDIT_MALFORMED,
    AUDIT_NO_CHECKPOINTS,
    AUDIT_NO_KEY,
    AUDIT_REORDERED,
    AUDIT_REWRITTEN,
    AUDIT_TRUNCATED,
    AUDIT_UNSEALED,
    CODES,
    Code,
)
from dpup_eval.errors import DpupEvalError
from dpup_eval.files import private_dir
from dpup_eval.paths import dpup_home

__all__ = [
    "GENESIS_HASH",
    "AuditChainError",
    "AuditCheckpoint",
    "AuditKeyError",
    "AuditEntry",
    "AuditValueError",
    "AuditHead",
    "AuditLog",
    "AuditProblem",
    "UseSummaryRow",
    "VerifyResult",
    "configured_actor",
    "default_audit_path",
    "fingerprint_file",
    "record_use",
]

GENESIS_HASH = "0" * 64
_HEX64 = r"^[0-9a-f]{64}$"
_NAME = r"^[^\x00-\x1f\x7f]+$"  # one line of text, no control characters

#: What can be wrong with the log: a `dpup_eval.codes` code of the audit area (edited, deleted, reordered,
#: malformed, inserted: the chain itself; truncated, emptied, rewritten, forged, unsealed, no-key,
#: no-checkpoints: against the key).
ProblemKind = Code
FieldName = Annotated[str, Field(min_length=1, max_length=200, pattern=_NAME)]
DetailKey = Annotated[str, Field(min_length=1, max_length=100, pattern=_NAME)]
DetailValue = Annotated[str, Field(max_length=200, pattern=_NAME)] | int | float | bool | None


class AuditChainError(DpupEvalError):
    """The log's tail is damaged (which line, what is wrong), so nothing more may be appended to it."""


class AuditValueError(DpupEvalError, ValueError):
    """An entry that would carry more than names, counts and fingerprints (or a naive time)."""


class AuditEntry(BaseModel):
    """One line of the log. Only names, counts and fingerprints: never a value from a data file."""

    model_config = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False)

    seq: int = Field(ge=1, description="1 for the first entry; equals the line number in an intact log")
    at: str = Field(description="UTC time, ISO 8601")
    actor: str = Field(min_length=1, max_length=100, pattern=_NAME)
    role: str = Field(min_length=1, max_length=100, pattern=_NAME)
    action: str = Field(pattern=r"^[a-z][a-z0-9_.-]{0,49}$", description="load, evaluate, export, request...")
    purpose: str | None = Field(default=None, min_length=1, max_length=100, pattern=_NAME)
    dataset: str | None = Field(default=None, pattern=r"^sha256:[0-9a-f]{64}$", description="fingerprint")
    fields: list[FieldName] = Field(default_factory=list)
    details: dict[DetailKey, DetailValue] = Field(default_factory=dict)
    prev_hash: str = Field(pattern=_HEX64)
    hash: str = Field(pattern=_HEX64)
    seal: str | None = Field(default=None, pattern=_HEX64,
                             description="HMAC of hash with the audit key (none on entries from before sealing)")

    @field_validator("at")
    @classmethod
    def _utc_iso(cls, value: str) -> str:
        offset = datetime.fromisoformat(value).utcoffset()
        if offset is None or offset.total_seconds() != 0:
            raise ValueError("must be an ISO 8601 time in UTC")
        return value


class AuditHead(NamedTuple):
    """Where the log ended when it was anchored: its entry count and last hash (``"12:ab34..."``)."""

    entries: int
    hash: str

    def __str__(self) -> str:
        return f"{self.entries}:{self.hash}"

    @classmethod
    def parse(cls, text: str) -> AuditHead:
        """Read back an anchor printed with ``str(head)``, e.g. from a report's footer."""
        count, _, digest = text.strip().partition(":")
        if not count.isdigit() or not re.fullmatch(_HEX64, digest):
            raise ValueError(f"not an audit head (expected '<count>:<64 hex digits>'): {text[:80]!r}")
        return cls(int(count), digest)


class AuditProblem(BaseModel):
    """One thing wrong with the log and where: ``line`` in the file (1-based) and the entry's ``seq``."""

    line: int | None
    seq: int | None
    kind: str = Field(description="An audit code of dpup_eval.codes (edited, forged, no-key ...)")
    message: str

    @field_validator("kind")
    @classmethod
    def _declared(cls, value: str) -> str:
        if value not in CODES or CODES[value].area != AUDIT:
            raise ValueError(f"'{value}' is not an audit problem code")
        return value


class VerifyResult(BaseModel):
    """The outcome of :meth:`AuditLog.verify`; ``entries`` counts the well-formed lines."""

    ok: bool
    entries: int
    problems: list[AuditProblem]
    sealed: bool = Field(default=False, description="The log was checked against its key and checkpoints.")
    checkpoint: str | None = Field(default=None, description="The last valid checkpoint, as 'COUNT:HASH at TIME'.")
    notes: list[str] = Field(default_factory=list)


class UseSummaryRow(BaseModel):
    """Who used what for what: one row per actor, role, purpose and action."""

    actor: str
    role: str
    purpose: str | None
    action: str
    count: int
    fields: list[str]
    datasets: list[str]
    first_at: str
    last_at: str


def _canonical(obj: Any) -> bytes:
    return json.dumps(
        obj, sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False
    ).encode()


def _content_hash(raw: Mapping[str, Any]) -> str:
    """sha256 of the canonical JSON of the entry except ``hash`` and ``seal`` (so ``prev_hash`` too)."""
    return hashlib.sha256(_canonical({k: v for k, v in raw.items() if k not in ("hash", "seal")})).hexdigest()


def fingerprint_file(path: Path) -> str:
    """``"sha256:<hex>"`` of the file's bytes, read in chunks so large files do not fill memory.

    A fingerprint names a dataset in the log without its file name, which may itself identify someone.
    """
    with Path(path).open("rb") as handle:
        return "sha256:" + hashlib.file_digest(handle, "sha256").hexdigest()


def default_audit_path() -> Path:
    """``audit.jsonl`` in the workbench's folder (see `dpup_eval.paths.dpup_home`)."""
    return dpup_home() / "audit.jsonl"


def _describe(exc: ValidationError) -> str:
    """Where and what, without the input values (they might be exactly what must not be logged)."""
    return "; ".join(
        f"{'.'.join(str(p) for p in err['loc']) or 'entry'}: {err['msg']}"
        for err in exc.errors(include_input=False, include_url=False)
    )


def _plain(value: Any) -> Any:
    """numpy/pandas scalars (counts from a DataFrame) as Python ones, so 5 is not logged as 5.0."""
    if not isinstance(value, str | int | float | bool) and callable(getattr(value, "item", None)):
        return value.item()
    return value


def _iso(at: datetime | None) -> str:
    return (at or datetime.now(UTC)).astimezone(UTC).isoformat(timespec="microseconds")


def _parse_line(raw_line: bytes) -> tuple[dict[str, Any] | None, AuditEntry | None, str]:
    """(raw dict, entry, "") for a well-formed line, else (None, None, what is wrong) without its values."""
    try:
        raw = json.loads(raw_line.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        return None, None, f"not valid JSON ({type(exc).__name__})"
    if not isinstance(raw, dict):
        return None, None, "not a JSON object"
    try:
        entry = AuditEntry.model_validate(raw)
    except ValidationError as exc:
        return None, None, f"not an audit entry ({_describe(exc)})"
    return raw, entry, ""


def _tail_lines(handle: Any, count: int) -> tuple[list[bytes], bool]:
    """The last ``count`` lines of an open binary file, and whether it ends with a newline."""
    handle.seek(0, os.SEEK_END)
    pos = handle.tell()
    buffer = b""
    while pos > 0 and buffer.count(b"\n") <= count:
        step = min(65536, pos)
        pos -= step
        handle.seek(pos)
        buffer = handle.read(step) + buffer
    if not buffer:
        return [], True
    complete = buffer.endswith(b"\n")
    lines = buffer.split(b"\n")
    if complete:
        lines.pop()
    return lines[-count:], complete


def _runs(items: list[tuple[int, int]]) -> list[tuple[tuple[int, int], tuple[int, int]]]:
    """Consecutive (line, seq) pairs grouped as (first, last)."""
    runs: list[tuple[tuple[int, int], tuple[int, int]]] = []
    for item in items:
        if runs and item[0] == runs[-1][1][0] + 1:
            runs[-1] = (runs[-1][0], item)
        else:
            runs.append((item, item))
    return runs


def _check_anchor(chain: list[tuple[int, AuditEntry]], head: AuditHead) -> list[AuditProblem]:
    """Problems if the log no longer contains the anchored head (its tail was removed or rewritten)."""
    last_seq = chain[-1][1].seq if chain else 0
    if head.entries > last_seq:
        message = AUDIT_DELETED.message(
            entries=f"seq {last_seq + 1}" + (f"–{head.entries}" if head.entries > last_seq + 1 else ""),
            where=f"at the end: the anchor says {head.entries} entries but the log ends at seq {last_seq}, so the "
                  f"last {head.entries - last_seq} entries were removed",
        )
        return [AuditProblem(line=None, seq=last_seq + 1, kind=AUDIT_DELETED, message=message)]
    anchored = next(((line, e) for line, e in chain if e.seq == head.entries), None)
    if head.entries and (anchored is None or anchored[1].hash != head.hash):
        message = AUDIT_EDITED.message(entry=f"seq {head.entries}",
                                       how="it does not have the anchored hash: the log was rewritten from there")
        line = anchored[0] if anchored else None
        return [AuditProblem(line=line, seq=head.entries, kind=AUDIT_EDITED, message=message)]
    return []


class AuditLog:
    """The audit log at ``path`` (created with owner-only permissions on first write).

    Its checkpoints are kept beside it (:func:`~dpup_eval.audit_seal.checkpoint_path`); the key that seals
    entries and checkpoints is ``key_path`` (default: ``audit.key`` in the workbench's folder).
    """

    def __init__(self, path: Path, key_path: Path | None = None) -> None:
        self.path = Path(path)
        self.checkpoints = checkpoint_path(self.path)
        self.key_path = Path(key_path) if key_path else default_key_path()

    def _read_lines(self, handle: Any = None) -> list[bytes]:
        if handle is not None:  # already locked by the caller
            handle.seek(0)
            data = handle.read()
        elif not self.path.exists():
            return []
        else:
            with self.path.open("rb") as handle:
                fcntl.flock(handle, fcntl.LOCK_SH)  # never read a line another process is half-way through
                data = handle.read()
        lines = data.split(b"\n")
        if lines and lines[-1] == b"":
            lines.pop()
        return lines

    def _head_of(self, handle: Any) -> AuditHead:
        last = None
        for raw_line in self._read_lines(handle):
            _, entry, _ = _parse_line(raw_line)
            last = entry or last
        return AuditHead(last.seq, last.hash) if last else AuditHead(0, GENESIS_HASH)

    def _check_tail(self, handle: Any) -> AuditEntry | None:
        """The last entry (None if the log is empty), after checking it is intact and follows the one before."""
        lines, complete = _tail_lines(handle, 2)
        if not lines:
            return None

        def refuse(what: str) -> AuditChainError:
            handle.seek(0)
            last_line = sum(chunk.count(b"\n") for chunk in iter(lambda: handle.read(65536), b""))
            last_line += 0 if complete else 1
            return AuditChainError(
                f"{self.path}: line {last_line}: {what}; the audit log refuses writes that would break "
                "the chain (run verify() to see every problem)"
            )

        if not complete:
            raise refuse("the last line is incomplete (no newline at the end)")
        raw, last, why = _parse_line(lines[-1])
        if last is None or raw is None:
            raise refuse(f"the last entry is malformed: {why}")
        if _content_hash(raw) != last.hash:
            raise refuse(f"the last entry (seq {last.seq}) was edited: its hash does not match its content")
        if len(lines) == 2:
            _, before, _ = _parse_line(lines[0])
            if before is None or last.prev_hash != before.hash or last.seq != before.seq + 1:
                raise refuse(f"the last entry (seq {last.seq}) does not follow the entry before it")
        elif last.seq != 1 or last.prev_hash != GENESIS_HASH:
            raise refuse(f"the only entry has seq {last.seq} and does not start the chain")
        return last

    def _key_for_writing(self, last: AuditEntry | None) -> AuditKey:
        """The key to seal with, after checking the log still ends where its last checkpoint says.

        Refuses (:class:`AuditChainError`) to extend a log whose tail was cut, rewritten or added to without
        the key: a new seal must never vouch for what someone else put there. Creates the key only for a
        log that was never sealed.
        """
        key = AuditKey.load(self.key_path)
        point = last_checkpoint(self.checkpoints)
        last_seq, last_hash = (last.seq, last.hash) if last else (0, GENESIS_HASH)

        def refuse(what: str) -> AuditChainError:
            return AuditChainError(f"{self.path}: {what}; the audit log refuses writes until this is looked into "
                                   "(run 'dpup-eval audit verify')")

        if key is None:
            if point is not None or (last is not None and last.seal):
                raise AuditKeyError(f"{self.key_path}: the audit key is missing, so the sealed log cannot be "
                                    "extended or checked; restore the key from a backup")
            return AuditKey.create(self.key_path)
        if point is None:
            if last is not None and last.seal:
                raise refuse(f"the checkpoints ({self.checkpoints.name}) beside the sealed log are missing")
            return key  # a log from before sealing: its first checkpoint will vouch for it
        if not key.checks_checkpoint(point):
            raise refuse(f"the last checkpoint in {self.checkpoints.name} is not signed with the audit key")
        if point.seq > last_seq:
            raise refuse(f"the log ends at entry {last_seq} but was checkpointed at {point.seq}: its tail was cut")
        if point.seq == last_seq and point.hash != last_hash:
            raise refuse(f"entry {last_seq} no longer has the hash checkpointed at {point.at}: it was rewritten")
        if point.seq < last_seq and not (last is not None and last.seal and key.checks_seal(last.hash, last.seal)):
            raise refuse(f"entry {last_seq} was added after the last checkpoint without the audit key")
        return key

    def record(
        self,
        *,
        actor: str,
        role: str,
        action: str,
        purpose: str | None = None,
        dataset: str | None = None,
        fields: Sequence[str] = (),
        details: Mapping[str, str | int | float | bool | None] | None = None,
        at: datetime | None = None,
    ) -> AuditEntry:
        """Append one entry and return it. ``at`` defaults to now; a naive datetime is refused.

        Raises :class:`AuditChainError` if the current last entry is damaged, and :class:`AuditValueError`
        if the entry would carry anything but short names, counts and fingerprints.
        """
        if isinstance(fields, str):
            raise AuditValueError("fields must be a sequence of field names, not one string")
        if at is not None and at.utcoffset() is None:
            raise AuditValueError("at must be timezone-aware (the log records UTC)")
        content: dict[str, Any] = {"actor": actor, "role": role, "action": action, "purpose": purpose,
                                   "dataset": dataset, "fields": list(fields),
                                   "details": {k: _plain(v) for k, v in (details or {}).items()}}
        try:  # validated before taking the lock; the error never repeats the offending value
            draft = AuditEntry(seq=1, at=_iso(at), prev_hash=GENESIS_HASH, hash=GENESIS_HASH, **content)
        except ValidationError as exc:
            raise AuditValueError(f"{self.path}: not recorded: {_describe(exc)}") from None
        private_dir(self.path.parent)
        fd = os.open(self.path, os.O_RDWR | os.O_APPEND | os.O_CREAT, 0o600)
        with os.fdopen(fd, "a+b") as handle:
            fcntl.flock(handle, fcntl.LOCK_EX)
            last = self._check_tail(handle)
            key = self._key_for_writing(last)
            last_seq, last_hash = (last.seq, last.hash) if last else (0, GENESIS_HASH)
            draft = draft.model_copy(update={"seq": last_seq + 1, "prev_hash": last_hash, "at": _iso(at)})
            entry_hash = _content_hash(draft.model_dump(mode="json", exclude={"seal"}))
            entry = draft.model_copy(update={"hash": entry_hash, "seal": key.seal(entry_hash)})
            # One write per line: a killed process leaves the whole line or nothing.
            os.write(handle.fileno(), _canonical(entry.model_dump(mode="json")) + b"\n")
            os.fsync(handle.fileno())  # an audit entry that vanishes in a crash is no evidence
            append_checkpoint(self.checkpoints, key.checkpoint(entry.seq, entry.hash, _iso(None)))
        return entry

    def checkpoint(self) -> AuditCheckpoint:
        """Seal the log's current head now (``dpup-eval audit checkpoint``), after checking the whole log.

        Raises :class:`AuditChainError` naming the first problem if the log is damaged: a checkpoint must
        never vouch for a tampered log.
        """
        private_dir(self.path.parent)
        fd = os.open(self.path, os.O_RDWR | os.O_APPEND | os.O_CREAT, 0o600)
        with os.fdopen(fd, "a+b") as handle:
            fcntl.flock(handle, fcntl.LOCK_EX)
            result = self._verify_unlocked(None, handle)
            if not result.ok:
                first = result.problems[0]
                raise AuditChainError(f"{self.path}: not checkpointed: {first.kind}: {first.message} "
                                      f"({len(result.problems)} problem(s); run 'dpup-eval audit verify')")
            key = self._key_for_writing(self._check_tail(handle))
            head = self._head_of(handle)
            point = key.checkpoint(head.entries, head.hash, _iso(None))
            append_checkpoint(self.checkpoints, point)
        return point

    def entries(self) -> list[AuditEntry]:
        """Every entry in file order. Raises :class:`AuditChainError` at the first malformed line."""
        result = []
        for number, raw_line in enumerate(self._read_lines(), start=1):
            _, entry, why = _parse_line(raw_line)
            if entry is None:
                raise AuditChainError(f"{self.path}: line {number}: {why}")
            result.append(entry)
        return result

    def head(self) -> AuditHead:
        """The anchor to keep elsewhere: entry count and last hash (``0`` and zeros when empty)."""
        entries = self.entries()
        return AuditHead(entries[-1].seq, entries[-1].hash) if entries else AuditHead(0, GENESIS_HASH)

    def verify(self, expected_head: AuditHead | None = None) -> VerifyResult:
        """Check every line and the chain; report each problem with its line, seq and kind.

        Lines out of seq order are "reordered"; the chain itself is then walked in seq order, so a gap in
        seq is "deleted", a second entry with the same seq (not the one its successor chained to) is
        "inserted", and an entry whose successor recorded a different hash for it was "edited" and
        re-hashed. Then the seals and checkpoints (:meth:`_check_seals`): a cut tail, an emptied log, a
        rewritten tail, entries added without the key.
        """
        if not self.path.exists():
            return self._verify_unlocked(expected_head, None)
        with self.path.open("rb") as handle:
            fcntl.flock(handle, fcntl.LOCK_SH)  # writers append entry and checkpoint under LOCK_EX
            return self._verify_unlocked(expected_head, handle)

    def _verify_unlocked(self, expected_head: AuditHead | None, handle: Any) -> VerifyResult:
        problems: list[AuditProblem] = []

        def report(line: int | None, seq: int | None, kind: ProblemKind, message: str) -> None:
            problems.append(AuditProblem(line=line, seq=seq, kind=kind, message=message))

        good: list[tuple[int, AuditEntry]] = []
        malformed: list[int] = []
        self_edited: set[int] = set()  # lines already reported as edited: no second report for their link
        for number, raw_line in enumerate(self._read_lines(handle) if handle else [], start=1):
            raw, entry, why = _parse_line(raw_line)
            if entry is None or raw is None:
                malformed.append(number)
                report(number, None, AUDIT_MALFORMED, AUDIT_MALFORMED.message(line=number, why=why))
                continue
            if _content_hash(raw) != entry.hash:
                self_edited.add(number)
                report(number, entry.seq, AUDIT_EDITED, AUDIT_EDITED.message(
                    entry=f"line {number} (seq {entry.seq})", how="its hash does not match its content"))
            good.append((number, entry))

        for (prev_line, prev), (line, entry) in zip(good, good[1:], strict=False):
            if entry.seq < prev.seq:
                report(line, entry.seq, AUDIT_REORDERED, AUDIT_REORDERED.message(
                    line=line, seq=entry.seq, before=prev_line, before_seq=prev.seq))

        # Walk the chain in seq order; where a seq occurs twice, the genuine entry is the one chained to.
        referenced = {entry.prev_hash for _, entry in good}
        by_seq: dict[int, list[tuple[int, AuditEntry]]] = {}
        for line, entry in good:
            by_seq.setdefault(entry.seq, []).append((line, entry))
        chain: list[tuple[int, AuditEntry]] = []
        for seq in sorted(by_seq):
            candidates = by_seq[seq]
            genuine = next((c for c in candidates if c[1].hash in referenced), candidates[0])
            for line, _ in candidates:
                if line != genuine[0]:
                    report(line, seq, AUDIT_INSERTED, AUDIT_INSERTED.message(line=line, seq=seq, chained=genuine[0]))
            chain.append(genuine)

        prev_line, prev_seq, prev_hash = 0, 0, GENESIS_HASH
        for line, entry in chain:
            if entry.seq > prev_seq + 1:
                missing = entry.seq - prev_seq - 1
                damaged = sum(1 for m in malformed if prev_line < m < line)  # a malformed line is no deletion
                if missing > damaged:
                    span = f"seq {prev_seq + 1}" + (f"–{entry.seq - 1}" if missing > 1 else "")
                    report(line, entry.seq, AUDIT_DELETED, AUDIT_DELETED.message(
                        entries=span, where=f"before line {line} (seq {entry.seq})"))
            elif entry.prev_hash != prev_hash and line not in self_edited:
                where = f"seq {prev_seq} (line {prev_line})" if prev_line else "the start of the log"
                how = f"line {line} (seq {entry.seq}) is chained to a different version of it (changed and re-hashed?)"
                report(prev_line or line, prev_seq or entry.seq, AUDIT_EDITED, AUDIT_EDITED.message(entry=where, how=how))
            prev_line, prev_seq, prev_hash = line, entry.seq, entry.hash

        if expected_head is not None:
            problems.extend(_check_anchor(chain, expected_head))
        sealed, latest, notes = self._check_seals(chain, problems)
        problems.sort(key=lambda p: (p.line or 0, p.kind))
        return VerifyResult(ok=not problems, entries=len(good), problems=problems, sealed=sealed,
                            checkpoint=latest, notes=notes)

    def _check_seals(
        self, chain: list[tuple[int, AuditEntry]], problems: list[AuditProblem]
    ) -> tuple[bool, str | None, list[str]]:
        """Check entries' seals and the checkpoints against the chain; returns (checked, last checkpoint, notes)."""
        points, bad_points = read_checkpoints(self.checkpoints)
        any_seal = any(entry.seal for _, entry in chain)
        key_exists = self.key_path.exists()
        is_default = self.path.resolve() == default_audit_path().resolve()
        if not (any_seal or points or bad_points or (is_default and key_exists and chain)):
            return False, None, ["this log has never been sealed, so a cut or rewritten tail would not show; "
                                 "run 'dpup-eval audit checkpoint' to seal it"]

        def report(line: int | None, seq: int | None, kind: ProblemKind, message: str) -> None:
            problems.append(AuditProblem(line=line, seq=seq, kind=kind, message=message))

        key = AuditKey.load(self.key_path)
        if key is None:
            report(None, None, AUDIT_NO_KEY, AUDIT_NO_KEY.message(path=self.key_path))
            return False, None, []
        for number in bad_points:
            report(None, None, AUDIT_FORGED, AUDIT_FORGED.message(where=f"line {number} of {self.checkpoints.name}",
                                                                  why="is not a checkpoint"))
        valid = []
        for number, point in points:
            if key.checks_checkpoint(point):
                valid.append(point)
            else:
                report(None, point.seq, AUDIT_FORGED, AUDIT_FORGED.message(
                    where=f"line {number} of {self.checkpoints.name} (entry {point.seq})",
                    why="is not signed with the audit key"))
        by_seq = {entry.seq: (line, entry) for line, entry in chain}
        last_seq = chain[-1][1].seq if chain else 0
        vouched = 0  # entries up to this seq are bound by a checkpoint that still matches
        rewritten = False
        for point in sorted(valid, key=lambda p: p.seq):
            if point.seq in by_seq:
                line, entry = by_seq[point.seq]
                if entry.hash != point.hash:
                    if not rewritten:
                        report(line, point.seq, AUDIT_REWRITTEN,
                               AUDIT_REWRITTEN.message(seq=point.seq, line=line, at=point.at))
                    rewritten = True
                elif not rewritten:
                    vouched = point.seq
            elif point.seq == 0:
                continue
        top = max(valid, key=lambda p: p.seq, default=None)
        if top is not None and top.seq > last_seq:
            if not chain:
                report(None, top.seq, AUDIT_EMPTIED, AUDIT_EMPTIED.message(at=top.at, entries=top.seq))
            else:
                report(None, last_seq + 1, AUDIT_TRUNCATED, AUDIT_TRUNCATED.message(
                    last=last_seq, at=top.at, entries=top.seq, removed=top.seq - last_seq))
        if not valid and not bad_points and not points:
            report(None, None, AUDIT_NO_CHECKPOINTS, AUDIT_NO_CHECKPOINTS.message(file=self.checkpoints.name))
        unsealed: list[tuple[int, int]] = []
        for line, entry in chain:
            if entry.seal is not None and not key.checks_seal(entry.hash, entry.seal):
                report(line, entry.seq, AUDIT_FORGED, AUDIT_FORGED.message(
                    where=f"line {line} (seq {entry.seq})", why="carries a seal that does not match"))
            elif entry.seal is None and entry.seq > vouched:
                unsealed.append((line, entry.seq))
        for first, last in _runs(unsealed):
            where = f"line {first[0]} (seq {first[1]})" if first == last else \
                f"lines {first[0]}–{last[0]} (seq {first[1]}–{last[1]})"
            report(first[0], first[1], AUDIT_UNSEALED, AUDIT_UNSEALED.message(where=where))
        latest = f"{top.seq}:{top.hash} at {top.at}" if top else None
        return True, latest, []

    def summary(self) -> list[UseSummaryRow]:
        """Who used what for what: entries grouped by actor, role, purpose and action."""
        groups: dict[tuple[str, str, str | None, str], list[AuditEntry]] = {}
        for entry in self.entries():
            groups.setdefault((entry.actor, entry.role, entry.purpose, entry.action), []).append(entry)
        rows = []
        for (actor, role, purpose, action), group in groups.items():
            times = sorted(group, key=lambda e: datetime.fromisoformat(e.at))
            rows.append(
                UseSummaryRow(
                    actor=actor,
                    role=role,
                    purpose=purpose,
                    action=action,
                    count=len(group),
                    fields=sorted({f for e in group for f in e.fields}),
                    datasets=sorted({e.dataset for e in group if e.dataset}),
                    first_at=times[0].at,
                    last_at=times[-1].at,
                )
            )
        return sorted(rows, key=lambda r: (r.actor, r.role, r.purpose or "", r.action))


DEFAULT_ROLE = "evaluator"
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


def configured_actor() -> tuple[str, str]:
    """``(actor, role)`` from ``DPUP_EVAL_ACTOR`` / ``DPUP_EVAL_ROLE``; defaults: the login name, evaluator."""
    actor = os.environ.get("DPUP_EVAL_ACTOR", "").strip()
    if not actor:
        try:
            actor = getpass.getuser()
        except (OSError, KeyError):  # no login name (some containers)
            actor = "unknown"
    role = os.environ.get("DPUP_EVAL_ROLE", "").strip() or DEFAULT_ROLE
    return _CONTROL.sub(" ", actor)[:100], _CONTROL.sub(" ", role)[:100]


def record_use(
    action: str,
    *,
    purpose: str | None = None,
    dataset: Path | str | None = None,
    fields: Sequence[str] = (),
    details: Mapping[str, str | int | float | bool | None] | None = None,
    log: AuditLog | Path | None = None,
    actor: str | None = None,
    role: str | None = None,
) -> AuditEntry:
    """Leave one line in the audit log for a load, evaluation, export or request step.

    ``dataset`` is a data file (recorded by fingerprint, never by name) or a ``sha256:`` fingerprint.
    ``details`` takes counts and short labels only; the log refuses anything else.
    """
    log = log if isinstance(log, AuditLog) else AuditLog(log or default_audit_path())
    who, what = configured_actor()
    if isinstance(dataset, Path) or (isinstance(dataset, str) and not dataset.startswith("sha256:")):
        dataset = fingerprint_file(Path(dataset))
    return log.record(actor=actor or who, role=role or what, action=action, purpose=purpose,
                      dataset=dataset, fields=list(fields), details=details)
