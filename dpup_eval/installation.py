"""What this installation has: the folders the package ships, and the optional parts installed with it.

Shipped folders. The demo programme (`data_contracts/best_foot_forward`), the workshop's Voila pages
(`dashboards`) and the course (`notebooks/learn`) are kept at the top of the repository, where the
design puts them. A wheel must carry them too, so the build (`setup.py`) copies each into the package as
``dpup_eval/shipped/<the same path>``. :func:`shipped_dir` is the one place that knows both homes:
the copy inside an installed package first, then the repository's own folder in a source checkout (an
editable install has no copy).

Optional parts. The core library checks and evaluates files without Jupyter; the workshop and the course
are extras (``pip install 'dpup_eval[workshop]'``, ``[course]``). :func:`require_extra` turns a missing
one into a clear error naming the install command, before a server is started that would fail later.
"""

from __future__ import annotations

import importlib.util
from collections.abc import Iterable
from pathlib import Path

from dpup_eval.errors import DpupEvalError

__all__ = ["SHIPPED_ROOTS", "MissingExtraError", "ShippedFolderMissingError", "require_extra", "shipped_dir"]

#: The top-level folders of the repository that the build copies into the package.
SHIPPED_ROOTS = ("data_contracts", "dashboards", "notebooks")
#: Inside the installed package, where the build puts the copies.
SHIPPED_IN_PACKAGE = "shipped"

_PACKAGE = Path(__file__).resolve().parent


class ShippedFolderMissingError(DpupEvalError):
    """A folder the package should ship is in neither home (a broken or partial installation)."""

    def __init__(self, name: str, looked_in: Iterable[Path]):
        self.name = name
        self.looked_in = list(looked_in)
        places = " or ".join(str(p) for p in self.looked_in)
        super().__init__(
            f"the shipped folder {name} is missing from this installation (looked in {places}); "
            "reinstall dpup_eval from its wheel, or run from a complete source checkout"
        )


class MissingExtraError(DpupEvalError):
    """An optional part of dpup_eval is needed but was not installed."""

    def __init__(self, extra: str, what: str, missing: Iterable[str]):
        self.extra = extra
        self.missing = sorted(missing)
        super().__init__(
            f"{what} needs the '{extra}' extra, which is not installed (missing: {', '.join(self.missing)}); "
            f"install it with: pip install 'dpup_eval[{extra}]'"
        )


def shipped_dir(name: str, *, package: Path | None = None) -> Path:
    """The folder ``name`` (e.g. ``data_contracts/best_foot_forward``, ``dashboards``, ``notebooks/learn``).

    Looks inside the installed package first (``dpup_eval/shipped/<name>``, put there by the wheel's
    build), then beside it (``<checkout>/<name>``, a source checkout). ``package`` is the package folder to
    look from (tests point it at a fake installation). Raises :class:`ShippedFolderMissingError` when
    neither exists, and ``ValueError`` for a name outside :data:`SHIPPED_ROOTS` (a programming error).
    """
    relative = Path(name)
    if relative.is_absolute() or ".." in relative.parts or not relative.parts or relative.parts[0] not in SHIPPED_ROOTS:
        raise ValueError(f"{name!r} is not a shipped folder: it must be under one of {', '.join(SHIPPED_ROOTS)}")
    package = _PACKAGE if package is None else Path(package)
    candidates = (package / SHIPPED_IN_PACKAGE / relative, package.parent / relative)
    for candidate in candidates:
        if candidate.is_dir():
            return candidate
    raise ShippedFolderMissingError(relative.as_posix(), candidates)


def require_extra(extra: str, modules: Iterable[str], what: str) -> None:
    """Raise :class:`MissingExtraError` unless every module in ``modules`` can be imported.

    Only finds the modules (``importlib.util.find_spec``), without importing them: cheap enough to run
    before every ``dpup-eval workshop`` or ``lab``.
    """
    missing = [module for module in modules if importlib.util.find_spec(module) is None]
    if missing:
        raise MissingExtraError(extra, what, missing)
