"""The project's own exceptions.

Each says what was wrong, where, and what to do, so the command line can print it as one
`Error:` line and a notebook user can read it without a traceback. None of them ever carries a
value from a data file: only file names, places and kinds of problem.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Generic, TypeVar

#: What an `IssuesError` lists (a `ContractIssue`, an indicator issue ...).
IssueT = TypeVar("IssueT")


class DpupEvalError(Exception):
    """Base class: anything the command line reports as `Error: <message>` with exit code 2."""


@dataclass(frozen=True)
class ContractIssue:
    """One thing wrong in a contract file: where (`schema[0].properties[3].role`) and what."""

    file: str
    place: str
    message: str

    def __str__(self) -> str:
        where = f"{self.file}: {self.place}" if self.place else self.file
        return f"{where}: {self.message}"


class IssuesError(DpupEvalError, Generic[IssueT]):
    """A file with several problems: the message lists every one of them, one per line.

    Why every one: someone settling a contract or an indicator file fixes them in one sitting; showing
    the first and "10 more" sends them round the loop eleven times. ``prefix`` names the file for
    issues that do not carry it themselves (indicator issues know only their place).
    """

    def __init__(self, issues: Sequence[IssueT], fallback: str, prefix: str = ""):
        self.issues: list[IssueT] = list(issues)
        self.prefix = prefix
        lines = self.lines() or [f"{prefix}{fallback}"]
        if len(lines) == 1:
            message = lines[0]
        else:
            message = f"{len(lines)} problems, each with its file and place:\n" + "\n".join(
                f"  {line}" for line in lines
            )
        super().__init__(message)

    def lines(self) -> list[str]:
        """Every issue as one line: file, place, what to do."""
        return [str(issue) if getattr(issue, "file", "") else f"{self.prefix}{issue}" for issue in self.issues]

    def details(self) -> str:
        """Every issue, one per line (notebooks and tests)."""
        return "\n".join(self.lines())


class ContractError(IssuesError[ContractIssue]):
    """A contract that cannot be used: invalid YAML, invalid ODCS, or missing DPUP details."""

    def __init__(self, issues: list[ContractIssue]):
        super().__init__(issues, "invalid contract")


class UnknownPurposeError(DpupEvalError):
    """Data was asked for a purpose the agreement does not define."""

    def __init__(self, purpose: str, defined: list[str], where: Path):
        self.purpose = purpose
        self.defined = defined
        listed = ", ".join(defined) if defined else "none"
        super().__init__(f"purpose '{purpose}' is not defined in {where}; defined purposes: {listed}")


class FileWriteError(DpupEvalError):
    """A file or folder the workbench must write cannot be made where it was asked (a file in the way, no
    permission, a full disk); nothing was written."""

    def __init__(self, path: Path | str, message: str):
        self.path = Path(path)
        super().__init__(f"{self.path}: {message}")


class DataFileError(DpupEvalError):
    """A data file that cannot be read at all (empty, binary, wrong encoding, ambiguous sheet...)."""

    def __init__(self, path: Path | str, message: str):
        self.path = Path(path)
        super().__init__(f"{self.path.name}: {message}")

    @classmethod
    def unreadable(cls, path: Path | str, error: OSError, what: str = "a data file") -> DataFileError:
        """The one wording for a file that cannot be opened: missing, a folder, or refused by the system."""
        if isinstance(error, FileNotFoundError):
            return cls(path, "no such file")
        if isinstance(error, IsADirectoryError):
            return cls(path, f"is a folder, not {what}")
        return cls(path, f"cannot be read ({error.strerror})")
