"""The workshop server's arguments, the files it prepares, and a clean stop on Ctrl-C."""

from __future__ import annotations

import gzip
import os
import re
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path

import pandas as pd
import pytest
from workshop_process import is_kernel, workshop_command

from dpup_eval.agreement.contract import default_contract_dir
from dpup_eval.errors import DpupEvalError
from dpup_eval.workshop import WorkshopStore
from dpup_eval.workshop.server import (
    PAGES,
    WorkshopConfig,
    dashboards_dir,
    make_join_code,
    prepare_workshop,
    template_root,
    voila_command,
    voila_env,
)
from dpup_eval.workshop.session import ENV


@pytest.fixture
def make_config(tmp_path: Path, demo_dir: Path):
    """A workshop configuration on the demo programme and its data; keyword arguments override."""

    def make(**kwargs: object) -> WorkshopConfig:
        kwargs = {"data": demo_dir / "evaluation.csv", "programme": default_contract_dir(), **kwargs}
        return WorkshopConfig.resolve(folder=tmp_path / "w", port=8877, **kwargs)  # type: ignore[arg-type]

    return make


def _option(command: list[str], name: str) -> str | None:
    found = [a.split("=", 1)[1] for a in command if a.startswith(f"--{name}=")]
    return found[-1] if found else None


def test_default_listens_on_this_laptop_only_without_a_code(make_config, tmp_path: Path) -> None:
    config = make_config()
    command = voila_command(config)
    assert _option(command, "Voila.ip") == "127.0.0.1"
    assert _option(command, "token") is None and config.join_code is None
    assert (
        config.urls()["success_measures.ipynb"] == "http://127.0.0.1:8877/voila/render/success_measures.ipynb"
    )


def test_the_voila_command_hides_code_and_tracebacks_culls_kernels_and_stays_offline(make_config, tmp_path: Path) -> None:
    command = voila_command(make_config())
    assert command[:3] == [sys.executable, "-m", "dpup_eval.workshop.voila_process"]  # Voila, for a room
    assert _option(command, "strip_sources") == "True"
    assert _option(command, "show_tracebacks") == "False"
    assert 0 < float(_option(command, "RoomVoila.release_after")) <= 100  # a closed tab's kernel goes in < 2 min
    assert _option(command, "template") == "dpup_workshop"
    assert _option(command, "Voila.port") is None and _option(command, "port") == "8877"
    assert _option(command, "preheat_kernel") == "True" and _option(command, "RoomVoila.join_pool") == "10"
    assert _option(command, "pool_size") == "2"  # the Findings page: two ready pages at most
    denied = {a.split("=", 1)[1] for a in command if a.startswith("--VoilaKernelManager.preheat_denylist=")}
    assert denied == set(PAGES) - {"success_measures.ipynb", "findings.ipynb"}  # two pages with ready kernels: four kernels


def test_lan_needs_a_join_code_and_prints_it_in_the_address(make_config, tmp_path: Path) -> None:
    config = make_config(lan=True)
    assert re.fullmatch(r"[A-HJ-NP-Z2-9]{4}-[A-HJ-NP-Z2-9]{4}", config.join_code or "")
    command = voila_command(config)
    assert _option(command, "Voila.ip") == "0.0.0.0"
    assert _option(command, "token") == config.join_code
    assert all(url.endswith(f"?token={config.join_code}") for url in config.urls("10.0.0.5").values())
    with pytest.raises(DpupEvalError, match="join code"):
        make_config(lan=True, join_code="")
    assert make_join_code() != make_join_code()


def test_pool_of_waiting_kernels_is_optional(make_config, tmp_path: Path) -> None:
    command = voila_command(make_config(pool_size=0))
    assert _option(command, "preheat_kernel") is None and _option(command, "pool_size") is None


def test_kernels_are_told_where_things_are(make_config, tmp_path: Path) -> None:
    config = make_config(lan=True)
    env = voila_env(config, base={"JUPYTER_PATH": "/elsewhere"})
    assert env["JUPYTER_PATH"].split(os.pathsep) == [str(template_root()), "/elsewhere"]
    assert (template_root() / "voila/templates/dpup_workshop/index.html.j2").is_file()
    assert env[ENV["data"]].endswith("accepted.parquet") and env[ENV["db"]].endswith("workshop.sqlite")
    assert env[ENV["programme"]] == str(default_contract_dir().resolve()) and env[ENV["purpose"]] == "evaluation"
    assert env[ENV["token"]] == config.join_code
    assert env[ENV["server"]] == "http://127.0.0.1:8877/"
    assert env["DPUP_WORKSHOP_KERNEL_SECRET"] == config.kernel_secret and len(config.kernel_secret) >= 32
    assert env["DPUP_WORKSHOP_PARENT_PID"] == str(os.getpid())  # Voila stops when this process dies
    assert "DPUP_WORKSHOP_CERTIFICATE" not in env and "SSL_CERT_FILE" not in env  # no --tls
    told = {k: v for k, v in env.items() if k.startswith("DPUP_") and k != "DPUP_WORKSHOP_PARENT_PID"}
    assert config.kernel_env() == told  # the same settings object, written out once


def test_data_is_a_file_of_any_name_or_a_folder_with_the_purpose_s_file(make_config, tmp_path: Path, demo_dir: Path) -> None:
    assert make_config(data=demo_dir).data_file == (demo_dir / "evaluation.csv").resolve()
    renamed = tmp_path / "export from the case system.csv"
    renamed.write_bytes((demo_dir / "evaluation.csv").read_bytes())
    assert make_config(data=renamed).data_file == renamed.resolve()
    with pytest.raises(DpupEvalError, match="no indicators for the purpose 'service_reporting'"):
        make_config(data=demo_dir, purpose="service_reporting")
    with pytest.raises(DpupEvalError, match="No data for evaluation"):
        make_config(data=tmp_path)
    with pytest.raises(DpupEvalError, match="No such data"):
        make_config(data=tmp_path / "missing")
    with pytest.raises(DpupEvalError, match="defined purposes: evaluation, service_reporting"):
        make_config(purpose="marketing")


def test_dashboards_are_thin_and_have_no_outputs() -> None:
    import nbformat

    for name in PAGES:
        notebook = nbformat.read(dashboards_dir() / name, as_version=4)
        code = [c for c in notebook.cells if c.cell_type == "code"]
        assert len(code) == 1 and "display(page.root)" in code[0].source
        assert all(not c.get("outputs") for c in code)


@pytest.mark.slow
def test_prepare_checks_once_and_writes_only_what_pages_need(make_config, tmp_path: Path) -> None:
    config = make_config()
    messages: list[str] = []
    prepared = prepare_workshop(config, say=messages.append)
    data = pd.read_parquet(config.accepted_file)
    assert len(data) == prepared["summary"]["rows_accepted"] > 0
    assert not {"participant_ref", "family_ref", "feedback"} & set(data.columns)
    assert '"accepted": true' in config.report_file.read_text(encoding="utf-8")
    assert all((config.pages_dir / name).is_file() for name in PAGES)
    with WorkshopStore(config.db) as store:
        assert store.current_workshop().id == prepared["workshop_id"]
    again = prepare_workshop(config, say=messages.append)  # a restart keeps the same workshop
    assert again["workshop_id"] == prepared["workshop_id"]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _children(root: int) -> list[int]:
    out = subprocess.run(["ps", "-eo", "pid=,ppid="], capture_output=True, text=True, check=True).stdout
    parents = dict(tuple(map(int, line.split())) for line in out.splitlines())  # type: ignore[misc]
    found, frontier = [], [root]
    while frontier:
        parent = frontier.pop()
        kids = [pid for pid, ppid in parents.items() if ppid == parent]
        found += kids
        frontier += kids
    return found


@pytest.mark.slow
def test_lan_workshop_needs_the_code_and_ctrl_c_stops_it_with_its_kernels(tmp_path: Path, demo_dir: Path) -> None:
    port = _free_port()
    process = subprocess.Popen(
        workshop_command(tmp_path / "w", port, default_contract_dir(), demo_dir / "evaluation.csv", "--lan"),
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=dict(os.environ), start_new_session=True,
    )  # fmt: skip
    lines: list[str] = []
    threading.Thread(
        target=lambda: lines.extend(line.rstrip() for line in process.stdout), daemon=True
    ).start()
    try:
        deadline = time.monotonic() + 120
        while not any("Press Ctrl-C" in line for line in lines):
            assert process.poll() is None and time.monotonic() < deadline, "\n".join(lines)
            time.sleep(0.2)
        code = next(line.split(": ", 1)[1] for line in lines if line.startswith("Join code"))
        page = f"http://127.0.0.1:{port}/voila/render/success_measures.ipynb"

        class NoRedirect(urllib.request.HTTPRedirectHandler):
            def redirect_request(self, *args: object, **kwargs: object) -> None:
                return None

        opener = urllib.request.build_opener(NoRedirect)
        with pytest.raises(urllib.error.HTTPError) as refused:
            opener.open(page, timeout=30)
        assert refused.value.code in (302, 401, 403)
        assert b"dpup-page" not in refused.value.read() and "/login" in refused.value.headers["Location"]
        asked = urllib.request.Request(f"{page}?token={code}", headers={"Accept-Encoding": "gzip"})
        with urllib.request.urlopen(asked, timeout=120) as response:  # a page with a kernel, compressed
            assert response.headers["Content-Encoding"] == "gzip"
            assert b"voila" in gzip.decompress(response.read())
        kernels = [pid for pid in _children(process.pid) if is_kernel(pid)]
        assert kernels
        process.send_signal(signal.SIGINT)
        assert process.wait(60) == 0
        assert any("Stopped" in line for line in lines)
        time.sleep(0.3)
        assert not [pid for pid in kernels if Path(f"/proc/{pid}").exists()], "kernels outlived the workshop"
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()


def test_a_shared_record_resumes_each_programme_s_own_workshop(record_target: str, work_ready) -> None:
    """A record shared by two programmes (PostgreSQL at an agency): each start resumes its own workshop,
    whichever programme started last, and with its own roles."""
    from dpup_eval.agreement.programme import Programme
    from dpup_eval.workshop.session import ensure_workshop

    demo, second = Programme.load(default_contract_dir()), Programme.load(work_ready.folder)
    with WorkshopStore(record_target) as store:
        first = ensure_workshop(store, "Demo workshop", "demo data", demo)
        other = ensure_workshop(store, "Second workshop", "trial data", second)
        assert other.id != first.id  # the demo's workshop is not the second programme's
        assert ensure_workshop(store, "Demo workshop", "demo data", demo).id == first.id  # not the latest
        assert ensure_workshop(store, "Second workshop", "trial data", second).id == other.id
        assert [r.id for r in store.workshop(first.id).roles] == [r.id for r in demo.roles]
        assert [r.id for r in store.workshop(other.id).roles] == [r.id for r in second.roles]
        assert [r.id for r in demo.roles] != [r.id for r in second.roles]
