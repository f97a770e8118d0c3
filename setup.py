"""One build step that pyproject.toml cannot say: ship the repository's top-level folders in the wheel.

The design keeps the demo programme's agreement (`data_contracts/`), the Voila pages (`dashboards/`)
and the notebooks (`notebooks/`, the course among them) at the top of the repository, beside the
package rather than inside it. An installed package has no repository around it, so the build copies
each of these folders into the package as ``dpup_eval/shipped/<folder>``, file for file.
`dpup_eval.installation.shipped_dir` finds them there, or at the top of a source checkout.

An editable install (``pip install -e``) copies nothing: it runs from the checkout, where the folders
are. The source distribution carries the folders through MANIFEST.in, so a wheel built from it has
them too. Everything else about the build is declared in pyproject.toml.
"""

from __future__ import annotations

from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py

HERE = Path(__file__).resolve().parent
#: Kept in step with dpup_eval.installation.SHIPPED_ROOTS (tests/test_installation.py compares them).
SHIPPED_ROOTS = ("data_contracts", "dashboards", "notebooks")
#: Working files that may sit in those folders but are never shipped.
NEVER_SHIPPED = {".ipynb_checkpoints", "__pycache__", ".DS_Store"}


def shipped_files(build_lib: str) -> list[tuple[Path, Path]]:
    """(source, target) for every file under the shipped folders, sorted for a reproducible wheel."""
    pairs = []
    for root in SHIPPED_ROOTS:
        for source in sorted((HERE / root).rglob("*")):
            relative = source.relative_to(HERE)
            if source.is_file() and not NEVER_SHIPPED.intersection(relative.parts):
                pairs.append((source, Path(build_lib) / "dpup_eval" / "shipped" / relative))
    return pairs


class BuildPyWithShippedFolders(build_py):
    """setuptools' build_py, then a copy of the shipped folders into the built package."""

    def run(self) -> None:
        super().run()
        if self.editable_mode:
            return
        for source, target in shipped_files(self.build_lib):
            self.mkpath(str(target.parent))
            self.copy_file(str(source), str(target))

    def get_outputs(self, include_bytecode: bool = True) -> list[str]:
        outputs = super().get_outputs(include_bytecode)
        if self.editable_mode:
            return outputs
        return [*outputs, *(str(target) for _, target in shipped_files(self.build_lib))]


setup(cmdclass={"build_py": BuildPyWithShippedFolders})
