"""What a programme's pseudonymous references look like, so that text naming one can be refused.

Why from the contracts: each programme's references have their own shape (``P-1A2B3C4D``, ``C00012``,
``WH-0042``...). A guard that knew only one programme's shape let "child C00012 did well" through. Every
field with the role ``pseudonymous_key`` must declare its ``pattern`` (the contract rules insist), and
that pattern, unanchored, finds its references inside a sentence.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from dpup_eval.agreement.contract import Agreement

__all__ = ["ReferencePattern", "find_reference", "reference_patterns"]


@dataclass(frozen=True)
class ReferencePattern:
    """One pseudonymous key's shape, ready to search text with; ``field`` and ``purpose`` say whose."""

    field: str
    purpose: str
    regex: re.Pattern[str]


def _unanchored(pattern: str) -> str:
    core = pattern
    for start in ("^", r"\A"):
        if core.startswith(start):
            core = core[len(start):]
    for end in ("$", r"\Z", r"\z"):
        if core.endswith(end) and not core.endswith("\\" + end):
            core = core[: -len(end)]
    return core


def reference_patterns(agreement: Agreement) -> list[ReferencePattern]:
    """The shape of every pseudonymous key in every purpose of the agreement (case ignored)."""
    found = []
    for purpose in agreement.purposes:
        for f in agreement.for_purpose(purpose).fields:
            if f.role == "pseudonymous_key" and f.pattern:
                regex = re.compile(rf"(?<![A-Za-z0-9])(?:{_unanchored(f.pattern)})(?![A-Za-z0-9])", re.IGNORECASE)
                found.append(ReferencePattern(f.name, purpose, regex))
    return found


def find_reference(texts: Iterable[str], patterns: Iterable[ReferencePattern]) -> ReferencePattern | None:
    """The first key whose reference appears in any of ``texts`` (None when none does)."""
    chosen = list(patterns)
    for text in texts:
        for pattern in chosen:
            if pattern.regex.search(text):
                return pattern
    return None
