"""Shared fixtures: isolation from the user's home, demo data generated once per session, and the two
programmes every generic test runs on (the demo, and the second programme of `second_programme.py`)."""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from hypothesis import HealthCheck, settings
from made_by_init import settle
from second_programme import WorkReady, write_work_ready

from dpup_eval.agreement.contract import Agreement, default_contract_dir
from dpup_eval.demo.generator import DemoOptions, write_demo_data

# CI runs every property with at least 100 examples (hypothesis' own default); `HYPOTHESIS_PROFILE=dev`
# runs 20 for quick local loops. A test may ask for more, never for fewer.
settings.register_profile("ci", max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
settings.register_profile("dev", max_examples=20, deadline=None)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))
# The statistics and disclosure properties apply these per test (more examples, derandomised in ci).
settings.register_profile("maths-ci", max_examples=400, deadline=None, derandomize=True)
settings.register_profile("maths-dev", max_examples=60, deadline=None)

if TYPE_CHECKING:
    from postgres_cluster import Cluster

CONTRACT_DIR = default_contract_dir()

# ---------------------------------------------------------------- CI's two workers (`make test`: pytest-xdist)
# `make test` runs `pytest -n 2 --dist loadfile --no-loadscope-reorder`. Each test file goes to one worker
# whole (its module fixtures, e.g. a started workshop, are made once), except the browser files (those
# marked `browser`): together they are one unit of work, run on one worker one file after another (as on a
# developer's machine), so two workshops with Chromium never compete for the two cores while the other
# worker runs the rest. They go first, then the other slow files: the long work starts early and the short
# files fill in at the end. (xdist's own `xdist_group` does not work with pytest 9.2: xdist 3.8 renames a
# test through `item._nodeid`, which pytest no longer reads; so the controller, which collects nothing,
# finds the browser files by their marker.)
TESTS = Path(__file__).resolve().parent
BROWSER_UNIT = "browser tests"


def _browser_files() -> set[str]:
    """The test files marked `browser` (module-wide `pytestmark` or on a test), by their path from the root."""
    return {f"tests/{p.name}" for p in TESTS.glob("test_*.py") if "pytest.mark.browser" in p.read_text("utf-8")}


@pytest.hookimpl(optionalhook=True)  # a hook of pytest-xdist: a venv without it still runs the tests
def pytest_xdist_make_scheduler(config: pytest.Config, log: object) -> object | None:
    """For `--dist loadfile`: a file is a unit of work, and all browser files together are one."""
    if config.getvalue("dist") != "loadfile":
        return None
    from xdist.scheduler import LoadScopeScheduling

    browser = _browser_files()

    class FilesAndBrowserUnit(LoadScopeScheduling):
        def _split_scope(self, nodeid: str) -> str:
            path = nodeid.split("::", 1)[0]
            return BROWSER_UNIT if path in browser else path

    return FilesAndBrowserUnit(config, log)


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """On an xdist worker: browser files first, then the files with slow tests, each file kept together."""
    if not hasattr(config, "workerinput"):
        return  # a plain run keeps pytest's order
    browser = {item.path for item in items if item.get_closest_marker("browser")}
    slow = {item.path for item in items if item.get_closest_marker("slow")}
    items.sort(key=lambda item: 0 if item.path in browser else 1 if item.path in slow else 2)


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Iterator[pytest.TestReport]:
    """Keep each phase's report on the test (``item.rep_call``): a fixture can tell whether its test failed."""
    report = yield
    setattr(item, f"rep_{report.when}", report)
    return report


@pytest.fixture(scope="session", autouse=True)
def _isolated_home(tmp_path_factory: pytest.TempPathFactory) -> None:
    """HOME and the Jupyter folders point at a temporary folder: tests never touch the real ones."""
    home = tmp_path_factory.mktemp("home")
    for name, value in {
        "HOME": home,
        "JUPYTER_CONFIG_DIR": home / ".jupyter",
        "JUPYTER_DATA_DIR": home / ".local/share/jupyter",
        "JUPYTER_RUNTIME_DIR": home / ".local/share/jupyter/runtime",
        "IPYTHONDIR": home / ".ipython",
        "DPUP_EVAL_HOME": home / ".dpup_eval",
        "XDG_CONFIG_HOME": home / ".config",
        "XDG_CACHE_HOME": home / ".cache",
    }.items():
        os.environ[name] = str(value)
    os.environ["GX_ANALYTICS_ENABLED"] = "false"


@pytest.fixture(scope="session")
def agreement() -> Agreement:
    return Agreement.load(CONTRACT_DIR)


@pytest.fixture(scope="session")
def demo_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("demo")
    write_demo_data(out, DemoOptions())
    return out


@pytest.fixture(scope="session")
def messy_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("messy")
    write_demo_data(out, DemoOptions(messy=True))
    return out


@pytest.fixture(scope="session")
def postgres() -> Iterator[Cluster]:
    """A throwaway PostgreSQL cluster for the whole session (see tests/postgres_cluster.py)."""
    from postgres_cluster import start_or_skip

    cluster = start_or_skip()
    try:
        yield cluster
    finally:
        cluster.stop()


@pytest.fixture(params=["sqlite", "postgresql"])
def record_target(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """Where a test's record lives: a new SQLite file, or a new database in the PostgreSQL cluster
    (dropped after the test, so the cluster stays small)."""
    if request.param == "sqlite":
        yield str(tmp_path / "record.sqlite")
        return
    cluster = request.getfixturevalue("postgres")
    url = cluster.new_database()
    yield url
    cluster.drop(url)


@pytest.fixture(scope="session")
def trial(tmp_path_factory: pytest.TempPathFactory):
    """The made-up two-arm reading trial (tests/trial_programme.py), checked and loaded once."""
    from trial_programme import FOLDER, PURPOSE, write_trial_data

    from dpup_eval.agreement.contract import contract_for
    from dpup_eval.intake.loading import load

    path = write_trial_data(tmp_path_factory.mktemp("trial"))
    contract = contract_for(FOLDER, PURPOSE)
    result = load(path, contract, PURPOSE)
    assert result.report.accepted and not len(result.quarantine)
    return path, contract, result.data


@pytest.fixture(scope="session")
def work_ready(tmp_path_factory: pytest.TempPathFactory) -> WorkReady:
    """The second programme (see `second_programme.py`): its folder, its two data files and key map."""
    return write_work_ready(tmp_path_factory.mktemp("work_ready"))


@dataclass(frozen=True)
class ProgrammeCase:
    """One programme as the generic tests see it: where it is and what its data is."""

    name: str
    folder: Path
    data: dict[str, Path]  # purpose -> a data file for it
    workshop_purpose: str
    key_map: Path
    provider_ref: str  # a family/household reference the provider's key map knows


@pytest.fixture(scope="session", params=["best_foot_forward", "work_ready"])
def programme_case(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> ProgrammeCase:
    """Each of the two programmes in turn (generic tests take this fixture to run on both)."""
    if request.param == "work_ready":
        wr: WorkReady = request.getfixturevalue("work_ready")
        return ProgrammeCase("work_ready", wr.folder, {"outcomes_study": wr.outcomes, "monthly_return": wr.monthly},
                             "outcomes_study", wr.key_map, "HET-00003")
    from dpup_eval.demo.key_map import write_demo_key_map

    demo: Path = request.getfixturevalue("demo_dir")
    key_map = write_demo_key_map(tmp_path_factory.mktemp("demo_keys") / "key_map.csv")
    return ProgrammeCase("best_foot_forward", CONTRACT_DIR,
                         {"evaluation": demo / "evaluation.csv", "service_reporting": demo / "service_reporting.csv"},
                         "evaluation", key_map, "CCSS-00003")


@dataclass(frozen=True)
class MadeByInit:
    folder: Path
    data: Path


@pytest.fixture(scope="session")
def made_by_init(tmp_path_factory: pytest.TempPathFactory, work_ready: WorkReady) -> MadeByInit:
    """A programme made with `dpup-eval init` from the second programme's trial export, then settled."""
    from dpup_eval.cli.app import main

    folder = tmp_path_factory.mktemp("made_by_init") / "programme"
    assert main(["init", str(folder), "--data", str(work_ready.outcomes), "--purpose", "outcomes_study"]) == 0
    settle(folder, name="Work trial (made by init)", purpose="outcomes_study")
    return MadeByInit(folder, work_ready.outcomes)
