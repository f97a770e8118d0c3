"""Where the workbench keeps its own records (audit log, request and use registers, workshops)."""

from __future__ import annotations

import os
from pathlib import Path


def dpup_home() -> Path:
    """`$DPUP_EVAL_HOME` when set (tests point it at a temporary folder), else `~/.dpup_eval`."""
    home = os.environ.get("DPUP_EVAL_HOME")
    return Path(home) if home else Path.home() / ".dpup_eval"
