"""The workshop server: check the data once, then serve the workshop pages with Voila.

What happens, in order (:func:`run_workshop`):

1. The data file (any name) is checked against the programme's contract for the workshop's purpose
   **once**, here (this is the only process that imports Great Expectations). Only accepted rows are
   written, to ``accepted.parquet`` in the workshop folder, without pseudonymous references or free text
   (no page needs them); the check report goes beside it. The programme is always given: the demo is
   served only when asked for (``dpup-eval demo workshop`` makes its data and calls this module).
2. The workshop record (SQLite, WAL) is opened, and a workshop created in it if it has none, with the
   participant roles the programme's settings list.
3. Voila serves the two pages (copies of ``dashboards/*.ipynb``). Each page's kernel finds the files
   through environment variables (:data:`~dpup_eval.workshop.session.ENV`) and never calls ``load()``.
   Voila runs as :mod:`dpup_eval.workshop.voila_process` (Voila plus what a room needs: a page's kernel
   is released soon after its tab closes, a limit on wrong codes, TLS), with sources stripped, tracebacks
   hidden and a template that fetches nothing from the internet. By default it listens on this laptop
   only (127.0.0.1); with ``lan`` it listens on the room's network and every page needs the printed join
   code; with ``tls`` too, over HTTPS with a certificate made here (:mod:`dpup_eval.workshop.tls`).
   Its messages go to ``server.log`` in the workshop folder: the terminal shows only what the
   facilitator needs.
4. Ctrl-C (or SIGTERM) stops Voila, which shuts its kernels down; anything left in its process group is
   then killed. If this process is killed outright, Voila notices and stops too
   (:mod:`dpup_eval.workshop.lifeline`), and each kernel stops when Voila has gone: nothing is orphaned.
"""

from __future__ import annotations

import contextlib
import json
import os
import secrets
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path

from dpup_eval.errors import DpupEvalError
from dpup_eval.installation import require_extra, shipped_dir
from dpup_eval.workshop.kernel_settings import KernelSettings
from dpup_eval.workshop.session import DROPPED_ROLES, ENV, create_workshop, ensure_workshop
from dpup_eval.workshop.tls import Certificate

__all__ = [
    "DEFAULT_PORT",
    "PAGES",
    "WorkshopConfig",
    "dashboards_dir",
    "make_join_code",
    "prepare_workshop",
    "run_workshop",
    "voila_command",
    "voila_env",
]

DEFAULT_PORT = 8866
PAGES = (
    "success_measures.ipynb", "findings.ipynb", "stories.ipynb", "agreement.ipynb", "facilitator.ipynb",
    "room.ipynb", "where_information_goes.ipynb",
)  # fmt: skip
#: The page everyone joins on: ``pool_size`` of its pages are built in advance, ready for the next people.
JOIN_PAGE = "success_measures.ipynb"
#: Ready pages of the Findings page (opened later, by fewer people at once).
FINDINGS_POOL = 2
#: Pages that start their kernel when opened (no pool): every page but the two main ones.
NOT_PREHEATED = ("stories.ipynb", "agreement.ipynb", "facilitator.ipynb", "room.ipynb", "where_information_goes.ipynb")
TEMPLATE = "dpup_workshop"
#: plotly's own page extension: loaded on demand by ``voila_template/voila/labextensions/dpup-plotly-lazy``.
PLOTLY_EXTENSION = "jupyterlab-plotly"
#: Unambiguous characters for a join code read off a projector (no 0/O, 1/I/L).
_CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
_DATA_SUFFIXES = (".csv", ".xlsx", ".parquet")
#: What serving the pages needs from the workshop extra (Voila runs them, each page a kernel with widgets).
WORKSHOP_MODULES = ("voila", "ipykernel", "ipywidgets")


def dashboards_dir() -> Path:
    """The workshop notebooks: the repository's ``dashboards/`` or the copies inside the package."""
    folder = shipped_dir("dashboards")
    missing = [name for name in PAGES if not (folder / name).is_file()]
    if missing:
        raise DpupEvalError(f"The workshop pages {', '.join(missing)} are missing from {folder}.")
    return folder


def template_root() -> Path:
    """A Jupyter data folder holding ``voila/templates/dpup_workshop`` (put first on JUPYTER_PATH)."""
    return Path(__file__).resolve().parent / "voila_template"


def make_join_code() -> str:
    """A code people can read off a projector and type on a phone: ``XXXX-XXXX``."""
    letters = "".join(secrets.choice(_CODE_ALPHABET) for _ in range(8))
    return f"{letters[:4]}-{letters[4:]}"


@dataclass(frozen=True)
class WorkshopConfig:
    """Everything the server needs, resolved (see :func:`WorkshopConfig.resolve`)."""

    folder: Path
    data_file: Path
    programme: Path  # the programme folder (contracts, indicators, programme.yaml)
    purpose: str  # the purpose the data is for (the contract it is checked against)
    indicators: Path
    db: Path | str  # a SQLite file, or a postgresql:// URL
    port: int
    lan: bool = False
    join_code: str | None = None
    facilitator_code: str | None = None  # typed by the facilitator to record a decision
    new: bool = False  # start a new workshop (a SQLite file in the way is moved aside, never deleted)
    # Success measures pages built in advance (each about 70-100 MB, shared memory aside): ten people joining at
    # the same moment are each served in under a second; the Findings page keeps min(this, FINDINGS_POOL).
    pool_size: int = 10
    tls: bool = False  # serve HTTPS with a certificate made on this laptop (see tls.py)
    release_after: float = 90.0  # seconds after a page's last browser left before its kernel is shut down
    extra_env: dict[str, str] = field(default_factory=dict)
    #: Lets page kernels (and only they: it is never in a page) ask the Voila process about a facilitator code.
    kernel_secret: str = field(default_factory=lambda: secrets.token_urlsafe(32), repr=False)
    certificate: Certificate | None = None  # set by run_workshop when tls

    @property
    def scheme(self) -> str:
        return "https" if self.tls else "http"

    @property
    def ip(self) -> str:
        return "0.0.0.0" if self.lan else "127.0.0.1"

    @property
    def pages_dir(self) -> Path:
        return self.folder / "pages"

    @property
    def accepted_file(self) -> Path:
        return self.folder / "accepted.parquet"

    @property
    def report_file(self) -> Path:
        return self.folder / "check-report.json"

    @property
    def log_file(self) -> Path:
        """Messages from Voila and the pages' kernels (kept out of the facilitator's terminal)."""
        return self.folder / "server.log"

    @classmethod
    def resolve(
        cls, data: Path, programme: Path, db: Path | str | None = None, port: int | None = None,
        lan: bool = False, *, purpose: str | None = None, folder: Path | None = None,
        indicators: Path | None = None, join_code: str | None = None, pool_size: int = 10, new: bool = False,
        tls: bool = False,
    ) -> WorkshopConfig:  # fmt: skip
        """Check the programme folder, choose the purpose (the programme's workshop purpose by default)
        and find the data file (a file of any name, or ``<purpose>.csv|.xlsx|.parquet`` in a folder)."""
        from dpup_eval.agreement.programme import Programme
        from dpup_eval.records import is_url

        loaded = Programme.load(programme)
        purpose = purpose or loaded.workshop_purpose()
        loaded.for_purpose(purpose)  # an unknown purpose is named with the defined ones
        folder = Path(folder or Path.cwd() / "workshop-data").resolve()
        indicators = Path(indicators) if indicators is not None else loaded.indicators_file(purpose)
        if lan and join_code is None:
            join_code = make_join_code()
        if lan and not join_code:
            raise DpupEvalError("A workshop on the room's network needs a join code.")
        return cls(
            folder=folder, data_file=_data_file(data, purpose), programme=Path(programme).resolve(), purpose=purpose,
            indicators=indicators.resolve(),
            db=str(db) if is_url(db) else Path(db or folder / "workshop.sqlite").resolve(),
            port=port or _free_port(DEFAULT_PORT), lan=lan, join_code=join_code, pool_size=pool_size, new=new,
            tls=tls, facilitator_code=os.environ.get(ENV["facilitator"]) or make_join_code(),
        )  # fmt: skip

    def urls(self, host: str | None = None) -> dict[str, str]:
        """The address of each page (with the join code when there is one)."""
        host = host or ("127.0.0.1" if not self.lan else _lan_address())
        query = f"?token={self.join_code}" if self.join_code else ""
        return {name: f"{self.scheme}://{host}:{self.port}/voila/render/{name}{query}" for name in PAGES}

    def kernel_settings(self, parent: int | None = None) -> KernelSettings:
        """What every page's kernel is told (paths only, and the code to ask the server about itself)."""
        return KernelSettings(
            data=str(self.accepted_file), report=str(self.report_file), programme=str(self.programme),
            purpose=self.purpose, indicators=str(self.indicators), db=str(self.db), folder=str(self.folder),
            server=f"{self.scheme}://127.0.0.1:{self.port}/", secret=self.kernel_secret,
            certificate=str(self.certificate.certfile) if self.certificate is not None else None,
            token=self.join_code or None, facilitator=self.facilitator_code or None, parent=parent,
        )  # fmt: skip

    def kernel_env(self) -> dict[str, str]:
        """The kernels' environment variables (:meth:`kernel_settings` written out)."""
        return self.kernel_settings().to_env()


def _data_file(data: Path, purpose: str) -> Path:
    path = Path(data)
    if path.is_file():
        return path.resolve()
    if path.is_dir():
        for suffix in _DATA_SUFFIXES:
            if (path / f"{purpose}{suffix}").is_file():
                return (path / f"{purpose}{suffix}").resolve()
        names = ", ".join(f"{purpose}{suffix}" for suffix in _DATA_SUFFIXES)
        raise DpupEvalError(f"No data for {purpose} in {path}: give the data file itself, or put it there as one of {names}.")
    raise DpupEvalError(f"No such data file or folder: {path}.")


def _free_port(start: int) -> int:
    for port in range(start, start + 50):
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
            try:
                s.bind(("127.0.0.1", port))
            except OSError:
                continue
            return port
    raise DpupEvalError(f"No free port between {start} and {start + 49}; give one with --port.")


def _lan_address() -> str:
    """This laptop's address on the room's network (no packet is sent; falls back to the host name)."""
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        try:
            s.connect(("10.255.255.255", 1))
            return str(s.getsockname()[0])
        except OSError:
            return socket.gethostname()


def voila_command(config: WorkshopConfig) -> list[str]:
    """The Voila command line: stripped sources, hidden tracebacks, released kernels, offline template.

    Voila's idle culling is off: it never fired for the workshop's pages (their polling is activity) and,
    when it did, it could take a kernel from the pool just as a browser was given it. The room's Voila
    releases a page's kernel when no browser has been connected to it for ``release_after`` seconds.
    Kernels talk to Voila over local sockets (IPC), not TCP ports other users of the laptop could reach.
    """
    command = [
        sys.executable, "-m", "dpup_eval.workshop.voila_process", str(config.pages_dir), "--no-browser",
        f"--port={config.port}", "--Voila.port_retries=0", f"--Voila.ip={config.ip}",
        f"--template={TEMPLATE}", "--strip_sources=True", "--show_tracebacks=False",
        "--MappingKernelManager.cull_idle_timeout=0",
        f"--RoomVoila.release_after={config.release_after:g}",
        "--KernelManager.transport=ipc",
        # After a page's code has run, wait for its output (the page itself) for up to two minutes, not
        # nbclient's 4 s: on a busy laptop the output came later and the page was served empty, never usable.
        "--VoilaExecutor.iopub_timeout=120",
        r"--VoilaConfiguration.file_allowlist=reports/[^/]+\.html",  # the exported reports, nothing else
        "--Voila.log_level=WARN",
        # plotly.js (4.8 MB) is loaded when a chart is drawn, not parsed before every page can start: its
        # extension is left out of the pages and dpup-plotly-lazy (in the template folder) loads it.
        f"--VoilaConfiguration.extension_denylist={PLOTLY_EXTENSION}",
    ]  # fmt: skip
    if config.join_code:
        command.append(f"--token={config.join_code}")
    if config.certificate is not None:
        command += [f"--RoomVoila.certfile={config.certificate.certfile}",
                    f"--RoomVoila.keyfile={config.certificate.keyfile}"]  # fmt: skip
    if config.pool_size:
        command += ["--preheat_kernel=True", f"--pool_size={min(config.pool_size, FINDINGS_POOL)}",
                    f"--RoomVoila.join_pool={config.pool_size}",  # the page everyone joins on (JOIN_PAGE)
                    # The Stories page starts its kernel when opened: it is opened less, and six kernels
                    # starting at once (three pages) made the first page miss 30 s on a busy 2-core laptop.
                    # (Agreement: opened by a few people to review the agreement; it starts its kernel too.)
                    *[f"--VoilaKernelManager.preheat_denylist={name}" for name in NOT_PREHEATED]]
    return command


def voila_env(config: WorkshopConfig, base: dict[str, str] | None = None) -> dict[str, str]:
    """Voila's environment (its kernels inherit it): where things are, and this process as its parent."""
    env = dict(os.environ if base is None else base)
    env.update(config.extra_env)
    # This process as the parent: Voila stops if it dies (lifeline.py).
    env.update(config.kernel_settings(parent=os.getpid()).to_env())
    env["JUPYTER_PATH"] = os.pathsep.join(p for p in (str(template_root()), env.get("JUPYTER_PATH", "")) if p)
    env.setdefault("PYDEVD_DISABLE_FILE_VALIDATION", "1")
    return env


def prepare_workshop(config: WorkshopConfig, say: Callable[[str], None] = print) -> dict[str, object]:
    """Check the data once, write what the pages read, open the record and copy the pages in."""
    from dpup_eval.agreement.programme import Programme
    from dpup_eval.files import atomic_path, private_dir, write_bytes, write_text
    from dpup_eval.findings.record_keys import with_record_keys
    from dpup_eval.intake.loading import load
    from dpup_eval.workshop import WorkshopStore

    private_dir(config.folder)
    data_file = config.data_file
    programme = Programme.load(config.programme)
    contract = programme.for_purpose(config.purpose)
    say(f"Checking {data_file.name} against the agreement (once, before the pages open) ...")
    result = load(data_file, contract, config.purpose)
    report = result.report
    dropped = [f.name for f in contract.fields if f.role in DROPPED_ROLES and f.name in result.data.columns]
    # Record keys (disclosure control's per-person secret numbers) are worked out before references go.
    with atomic_path(config.accepted_file) as part:
        with_record_keys(result.data, contract).drop(columns=dropped).to_parquet(part)
    summary = {
        "file": data_file.name, "rows_accepted": int(report.rows_accepted),
        "rows_quarantined": int(report.rows_quarantined), "accepted": bool(report.accepted),
    }  # fmt: skip
    write_text(
        config.report_file,
        json.dumps({"summary": summary, "report": json.loads(report.to_json())}, ensure_ascii=False, indent=2),
    )
    say(f"{summary['rows_accepted']} rows accepted, {summary['rows_quarantined']} set aside (see {config.report_file.name}).")
    from dpup_eval.workshop.archive import backup, set_aside

    if config.new and isinstance(config.db, Path) and config.db.exists():
        say(f"Starting afresh: the old record is kept as {set_aside(config.db)}.")
    with WorkshopStore(config.db) as store:
        say(f"Backup of the workshop record: {backup(store.db, config.folder / 'backups')}")
        description = f"{data_file.name}, checked against {contract.name} for {config.purpose}"
        name = f"{programme.name} workshop"
        workshop = (
            create_workshop(store, name, description, programme) if config.new
            else ensure_workshop(store, name, description, programme)
        )  # fmt: skip
    private_dir(config.pages_dir / "reports")
    for name in PAGES:
        write_bytes(config.pages_dir / name, (dashboards_dir() / name).read_bytes())
    return {"summary": summary, "workshop_id": workshop.id}


def _wait_until_serving(config: WorkshopConfig, process: subprocess.Popen[bytes], timeout: float = 60.0) -> None:
    context = None
    if config.certificate is not None:
        import ssl

        context = ssl.create_default_context(cafile=str(config.certificate.certfile))
    url = f"{config.scheme}://127.0.0.1:{config.port}/voila/static/voila.js"
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise DpupEvalError(
                f"The page server stopped while starting (exit code {process.returncode}). Its last messages:\n"
                + _tail(config.log_file)
            )
        try:
            urllib.request.urlopen(url, timeout=2, context=context).close()
            return
        except urllib.error.HTTPError:
            return  # it answers (a 403/302 without the join code is an answer)
        except OSError:
            time.sleep(0.2)
    raise DpupEvalError(f"The page server did not start within {timeout:.0f} s on port {config.port}; see {config.log_file}.")


def _tail(path: Path, lines: int = 15) -> str:
    try:
        return "\n".join(path.read_text("utf-8", errors="replace").splitlines()[-lines:])
    except OSError:
        return "(none)"


def stop_voila(process: subprocess.Popen[bytes], timeout: float = 20.0) -> None:
    """SIGTERM lets Voila shut its kernels down; whatever remains in its process group is then killed."""
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
        with contextlib.suppress(subprocess.TimeoutExpired):
            process.wait(timeout)
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(process.pid, signal.SIGKILL)  # kernels are in Voila's own process group
    process.wait()


def run_workshop(
    data: Path,
    programme: Path,
    db: Path | str | None = None,
    port: int | None = None,
    lan: bool = False,
    *,
    purpose: str | None = None,
    folder: Path | None = None,
    indicators: Path | None = None,
    pool_size: int = 10,
    new: bool = False,
    tls: bool = False,
    say: Callable[[str], None] = print,
) -> int:
    """Serve the workshop until Ctrl-C; returns the exit code (0 after a clean stop)."""
    require_extra("workshop", WORKSHOP_MODULES, "the workshop")
    config = WorkshopConfig.resolve(
        data, programme, db, port, lan, purpose=purpose, folder=folder, indicators=indicators, pool_size=pool_size,
        new=new, tls=tls,
    )
    prepared = prepare_workshop(config, say)
    if config.tls:
        from dpup_eval.workshop.tls import room_certificate

        config = replace(config, certificate=room_certificate(config.folder, _room_host(config)))
    config.extra_env[ENV["workshop"]] = str(prepared["workshop_id"])  # pages join this one, not the latest
    from dpup_eval.files import private_file

    # Voila's and the kernels' messages go to a file (owner-only), not the facilitator's terminal.
    with private_file(config.log_file).open("ab") as log:
        process = subprocess.Popen(voila_command(config), env=voila_env(config), start_new_session=True,
                                   stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT)  # fmt: skip

    def _terminate(signum: int, frame: object) -> None:
        raise KeyboardInterrupt

    # Both stop the workshop the same way; SIGINT is set explicitly because a process started in the
    # background by a shell inherits it ignored.
    previous = {sig: signal.signal(sig, _terminate) for sig in (signal.SIGINT, signal.SIGTERM)}
    try:
        _wait_until_serving(config, process)
        for line in opening_lines(config):
            say(line)
        process.wait()
        say(f"The page server stopped unexpectedly (exit code {process.returncode}); see {config.log_file}.")
        return 1
    except KeyboardInterrupt:
        say("Stopping the workshop ...")
        stop_voila(process)
        say("Stopped. The record is kept in " + _shown(config.db))
        return 0
    finally:
        if process.poll() is None:
            stop_voila(process)
        for sig, handler in previous.items():
            signal.signal(sig, handler)


def _room_host(config: WorkshopConfig) -> str:
    return _lan_address() if config.lan else "127.0.0.1"


def opening_lines(config: WorkshopConfig) -> list[str]:
    """What the terminal shows once the pages are served: the addresses and codes, and how to stop."""
    lines = ["", "The workshop is open. Open these pages in a browser:"]
    for name, url in config.urls(_room_host(config)).items():
        lines.append(f"  {name.removesuffix('.ipynb').replace('_', ' ').capitalize()}: {url}")
    if config.lan:
        lines.append(f"Join code (participants need it): {config.join_code}")
        lines.append("Phones and laptops on the same Wi-Fi as this laptop can open the addresses above.")
    else:
        lines.append("Only this laptop can open them (use --lan to let the room join over its network).")
    if config.certificate is not None:
        lines.append("Browsers will warn that they do not know this certificate. Check that the fingerprint they show")
        lines.append(f"is this one before going on: SHA-256 {config.certificate.fingerprint}")
    if config.facilitator_code:
        lines.append(f"Facilitator code (keep it to yourself; it records decisions): {config.facilitator_code}")
    lines.append("Press Ctrl-C to stop the workshop.")
    return lines


def _shown(db: Path | str) -> str:
    """The record's place for the terminal: a URL without its password."""
    if isinstance(db, Path):
        return str(db)
    import sqlalchemy as sa

    return sa.make_url(db).render_as_string(hide_password=True)
