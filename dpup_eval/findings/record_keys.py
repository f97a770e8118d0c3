"""Record keys: one stable, secret random number per person, from which every cell's key is derived.

Why: disclosure control must treat the same people the same way in every table a workshop produces
(DESIGN.md, "Disclosure control defaults"). The ABS TableBuilder and ONS Cantabular way is to give
each record a random *record key* once; a cell's key is then worked out from the keys of the people
in it (:mod:`dpup_eval.findings.cell_keys`), so the same set of people always gets the same cell key,
and a set that differs by one person gets an unrelated one.

Our record key is a keyed hash (BLAKE2b) of the person's pseudonymous reference with a secret drawn
once per programme. The secret lives in the workbench's own folder (``$DPUP_EVAL_HOME/programmes/
<programme>/record-key.secret``, owner-only), never in the repository or in anything published: with
it, anyone could recompute every cell's rounding. The same person gets the same key in every quarter's
file and every purpose's data, which is what lets the release ledger check later releases against
earlier ones.

A data file without a person reference (a file drafted by hand, a test frame) gets keys from each
row's own content and its place among identical rows: stable for the same file, but not linkable
across files. The workshop server computes the keys before it drops references from the pages'
data, and passes them in the column :data:`RECORD_KEY_COLUMN`.
"""

from __future__ import annotations

import hashlib
import re
import secrets
import stat
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from dpup_eval.agreement.contract import Contract
from dpup_eval.errors import DpupEvalError
from dpup_eval.paths import dpup_home

__all__ = [
    "RECORD_KEY_COLUMN",
    "RecordKeys",
    "person_key_field",
    "programme_folder",
    "programme_secret",
    "programme_slug",
    "with_record_keys",
]

#: The column carrying record keys in data whose references were dropped (the workshop's data file).
RECORD_KEY_COLUMN = "record_key"
SECRET_FILE = "record-key.secret"
_SECRET_BYTES = 32
#: Buckets of the population sketches (:mod:`dpup_eval.findings.overlap`): a person's bucket is fixed by
#: their key, so sketches of populations from different files can be compared.
SKETCH_BUCKETS = 64


def programme_slug(programme: str) -> str:
    """'Best foot forward' -> 'best-foot-forward' (a folder name)."""
    slug = re.sub(r"[^a-z0-9]+", "-", programme.lower()).strip("-")
    return slug or "programme"


def programme_folder(programme: str) -> Path:
    """The workbench's own folder for one programme (owner-only): its secret and its release ledger."""
    folder = dpup_home() / "programmes" / programme_slug(programme)
    folder.mkdir(parents=True, exist_ok=True)
    for path in (folder, folder.parent):
        path.chmod(stat.S_IRWXU)
    return folder


def programme_secret(programme: str, folder: Path | None = None) -> bytes:
    """The programme's record-key secret, created on first use (random, 32 bytes, file mode 0600).

    A secret file others could read is made owner-only again; a damaged one is an error rather than
    silently replaced, because a new secret would change every record key and cut the ledger off from
    everything released before.
    """
    folder = folder or programme_folder(programme)
    path = folder / SECRET_FILE
    if not path.exists():  # made whole, then put in place unless another process made one first (that one wins)
        from dpup_eval.files import atomic_path

        with atomic_path(path, replace=False) as part:
            part.write_bytes(secrets.token_bytes(_SECRET_BYTES).hex().encode("ascii"))
    if path.stat().st_mode & (stat.S_IRWXG | stat.S_IRWXO):
        path.chmod(stat.S_IRUSR | stat.S_IWUSR)
    text = path.read_text(encoding="ascii").strip()
    try:
        value = bytes.fromhex(text)
    except ValueError:
        value = b""
    if len(value) != _SECRET_BYTES:
        raise DpupEvalError(
            f"The record-key secret {path} is damaged; restore it from a backup (a new one would make "
            "every earlier release impossible to check against)."
        )
    return value


def person_key_field(contract: Contract) -> str | None:
    """The field naming a person: the primary key, else a unique pseudonymous reference, else None."""
    if contract.key_fields:
        return contract.key_fields[0]
    for f in contract.fields:
        if f.role == "pseudonymous_key" and f.unique:
            return f.name
    return None


def _keyed_hashes(values: list[bytes], secret: bytes) -> np.ndarray:
    """A keyed 64-bit BLAKE2b of each value (uint64)."""
    hasher = hashlib.blake2b(key=secret, digest_size=8, person=b"dpup-record-key")
    digests = bytearray()
    for value in values:
        copy = hasher.copy()  # copying a keyed state is cheaper than re-keying for every value
        copy.update(value)
        digests += copy.digest()
    return np.frombuffer(bytes(digests), dtype="<u8").astype(np.uint64)


def _hash_texts(texts: pd.Series, secret: bytes) -> np.ndarray:
    """A keyed hash of each text, worked out once per distinct text."""
    codes, uniques = pd.factorize(texts, use_na_sentinel=False)
    table = _keyed_hashes([str(value).encode("utf-8") for value in uniques], secret)
    return table[np.asarray(codes, dtype=np.int64)]


def _row_hashes(data: pd.DataFrame, secret: bytes) -> np.ndarray:
    """A keyed hash of each row's content and its place among identical rows (so duplicates differ)."""
    content = pd.util.hash_pandas_object(data, index=False).to_numpy(dtype=np.uint64)
    occurrence = pd.Series(content).groupby(content, sort=False).cumcount().to_numpy(dtype=np.uint64)
    pairs = np.column_stack([content, occurrence]).astype("<u8")
    return _keyed_hashes([row.tobytes() for row in pairs], secret)


@dataclass(frozen=True, eq=False)
class RecordKeys:
    """The record key of every row of one data frame (uint64, aligned with its rows).

    ``low`` (the key's low 32 bits) drives perturbation; ``high`` (its high 32 bits) fingerprints a
    population; ``bucket`` places each person in one of :data:`SKETCH_BUCKETS` buckets for sketches.
    Both halves are held as float64 so that ``np.bincount`` sums them exactly (below 2**21 rows).
    """

    keys: np.ndarray
    low: np.ndarray = field(init=False, repr=False)
    high: np.ndarray = field(init=False, repr=False)
    bucket: np.ndarray = field(init=False, repr=False)

    def __post_init__(self) -> None:
        keys = np.ascontiguousarray(self.keys, dtype=np.uint64)
        object.__setattr__(self, "keys", keys)
        object.__setattr__(self, "low", (keys & np.uint64(0xFFFFFFFF)).astype(np.float64))
        object.__setattr__(self, "high", (keys >> np.uint64(32)).astype(np.float64))
        object.__setattr__(self, "bucket", (keys % np.uint64(SKETCH_BUCKETS)).astype(np.int64))

    def __len__(self) -> int:
        return int(self.keys.size)

    @property
    def digest(self) -> str:
        """Names this set of rows in this order (the ledger stores each distinct one once)."""
        if "_digest" not in self.__dict__:
            self.__dict__["_digest"] = hashlib.blake2b(self.keys.tobytes(), digest_size=16).hexdigest()
        return str(self.__dict__["_digest"])

    @classmethod
    def of(cls, data: pd.DataFrame, contract: Contract, secret: bytes | None = None) -> RecordKeys:
        """Keys for ``data``: from :data:`RECORD_KEY_COLUMN` if present, else from the person reference.

        ``secret`` defaults to the programme's own (:func:`programme_secret`).
        """
        if RECORD_KEY_COLUMN in data.columns:
            column = data[RECORD_KEY_COLUMN]
            if column.isna().any():
                raise DpupEvalError(f"The data's {RECORD_KEY_COLUMN} column has missing values.")
            return cls(column.to_numpy(dtype=np.uint64))
        secret = secret if secret is not None else programme_secret(contract.programme)
        name = person_key_field(contract)
        if name is not None and name in data.columns and not data[name].isna().any():
            return cls(_hash_texts(data[name].astype("string"), secret))
        return cls(_row_hashes(data, secret))


def with_record_keys(data: pd.DataFrame, contract: Contract, secret: bytes | None = None) -> pd.DataFrame:
    """``data`` with a :data:`RECORD_KEY_COLUMN` column (before references are dropped from it)."""
    keys = RecordKeys.of(data, contract, secret)
    return data.assign(**{RECORD_KEY_COLUMN: pd.array(keys.keys, dtype="UInt64")})
