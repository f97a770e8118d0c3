"""Versions of a data agreement, and the rule for how much a change moves the version.

Each contract (one purpose) carries a semantic version ``MAJOR.MINOR.PATCH`` (ODCS ``version``). Why a
rule and not a free choice: a version is what a family's notice, a checked file and a signature point at,
so "did anything that matters change?" must be answerable from the number alone.

- **major**: what is collected, its shape, or who receives it changes, or a promise to families is
  withdrawn. A field added, dropped, moved to another purpose, replaced or coarsened (or made finer),
  a field's type, pattern, range, categories, role, or whether it is required changed; a quality check
  added or changed; the recipient changed; a "not used for" / "not seen by" promise removed; the smallest
  group size (k) or disclosure control loosened; a purpose added or ended. Files shaped for the old version
  may no longer pass (or the reverse), notices must be redone and both sides sign again.
- **minor**: the terms change but not the data: a promise added ("not used for", "not seen by"), the
  schedule or retention changed, k or disclosure control tightened, a quality check removed.
- **patch**: wording only: plain names, descriptions for adults and children, why a field is needed,
  purpose statements, labels of categories, how to ask.

A new version must be at least the old one bumped by the largest level among its changes.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

from dpup_eval.errors import DpupEvalError

__all__ = ["LEVELS", "Level", "Version", "older_check", "required_level"]

Level = Literal["major", "minor", "patch"]
#: From smallest to largest.
LEVELS: tuple[Level, ...] = ("patch", "minor", "major")
_SEMVER = re.compile(r"^(0|[1-9][0-9]*)\.(0|[1-9][0-9]*)\.(0|[1-9][0-9]*)$")


@dataclass(frozen=True, order=True)
class Version:
    """A semantic version; ordered as numbers (1.10.0 after 1.9.0)."""

    major: int
    minor: int
    patch: int

    @classmethod
    def parse(cls, text: str, where: str = "") -> Version:
        """``"1.2.0"`` -> Version(1, 2, 0); a clear error naming ``where`` otherwise."""
        match = _SEMVER.match(str(text).strip())
        if not match:
            place = f"{where}: " if where else ""
            raise DpupEvalError(f"{place}version '{text}' is not a semantic version such as 1.0.0 "
                                "(MAJOR.MINOR.PATCH, see README, 'Co-designing the agreement')")
        return cls(*(int(part) for part in match.groups()))

    def bump(self, level: Level) -> Version:
        """The next version at ``level``: 1.4.2 -> major 2.0.0, minor 1.5.0, patch 1.4.3."""
        if level == "major":
            return Version(self.major + 1, 0, 0)
        if level == "minor":
            return Version(self.major, self.minor + 1, 0)
        return Version(self.major, self.minor, self.patch + 1)

    def __str__(self) -> str:
        return f"{self.major}.{self.minor}.{self.patch}"


def required_level(levels: list[Level]) -> Level | None:
    """The largest level among changes (None when nothing changed)."""
    if not levels:
        return None
    return max(levels, key=LEVELS.index)


def older_check(purpose: str, checked: str | None, current: str) -> str | None:
    """Why data checked against version ``checked`` must be checked again (None when it is current).

    A check made before versions were recorded (``checked`` None or empty) is flagged too: nobody can say
    which agreement it kept.
    """
    words = purpose.replace("_", " ")
    if not checked:
        return f"the {words} data was checked before check reports named the agreement's version: check it again"
    try:
        older = Version.parse(checked) < Version.parse(current)
    except DpupEvalError:
        return f"the {words} data was checked against version '{checked}', which is not a version: check it again"
    if older:
        return (f"the {words} data was checked against version {checked} of the agreement; the agreement is now "
                f"version {current}: check the file again before using it")
    return None
