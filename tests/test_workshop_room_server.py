"""The workshop server in a real room (issues 12 and 17): nothing outlives it, kernels are released, a LAN
workshop over TLS with strict cookies and a limit on wrong codes, and a terminal that says only what the
facilitator needs. The servers here are started as a facilitator starts one: `dpup-eval workshop`."""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import http.cookiejar
import os
import signal
import socket
import ssl
import stat
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path
from typing import Any

import pytest
from workshop_process import Workshop, alive, children, command_line, is_kernel, proc_file, workshop_command

from dpup_eval.agreement.contract import default_contract_dir
from dpup_eval.workshop import server
from dpup_eval.workshop.code_limits import (
    CERT_ENV,
    CODE_SECRET_ENV,
    CodeCheck,
    CodePaused,
    WrongCodeLimiter,
    check_facilitator_code,
)
from dpup_eval.workshop.lifeline import PARENT_ENV
from dpup_eval.workshop.session import ENV
from dpup_eval.workshop.tls import fingerprint, room_certificate


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


# ---------------------------------------------------------------- wrong codes: ten a minute, then a pause


def test_ten_wrong_codes_a_minute_then_even_the_right_one_waits() -> None:
    clock = Clock()
    limit = WrongCodeLimiter(allowed=10, window=60, pause=60, clock=clock)
    for _ in range(9):
        assert limit.check("10.0.0.7", "WRONG-CODE", "ABCD-EFGH") is False
        clock.now += 1
    assert limit.paused_for("10.0.0.7") == 0
    assert limit.check("10.0.0.7", "abcd-efgh ", "ABCD-EFGH") is True  # typed in lower case, with a space
    assert limit.check("10.0.0.7", "WRONG-CODE", "ABCD-EFGH") is False  # the tenth wrong one
    with pytest.raises(CodePaused, match="Too many wrong codes from this device. Wait 60 seconds"):
        limit.check("10.0.0.7", "ABCD-EFGH", "ABCD-EFGH")  # paused: the right code is refused too
    assert limit.check("10.0.0.8", "ABCD-EFGH", "ABCD-EFGH") is True  # another phone is not affected
    clock.now += 59
    with pytest.raises(CodePaused, match="Wait 1 second and"):
        limit.check("10.0.0.7", "ABCD-EFGH", "ABCD-EFGH")
    clock.now += 1
    assert limit.check("10.0.0.7", "ABCD-EFGH", "ABCD-EFGH") is True


def test_wrong_codes_older_than_the_window_are_forgotten() -> None:
    clock = Clock()
    limit = WrongCodeLimiter(allowed=10, window=60, pause=60, clock=clock)
    for _ in range(9):
        limit.wrong("phone")
    clock.now += 61
    for _ in range(9):
        assert limit.wrong("phone") == 0
    assert limit.wrong("phone") == 60  # ten within the last minute


def test_a_flood_of_addresses_keeps_the_limit_s_memory_bounded() -> None:
    limit = WrongCodeLimiter(max_devices=100, clock=Clock())
    for n in range(1000):
        limit.wrong(f"10.0.{n // 250}.{n % 250}")
    assert len(limit._wrong) <= 100


def test_a_page_whose_server_cannot_be_asked_limits_the_facilitator_code_itself() -> None:
    unreachable = {ENV["server"]: f"http://127.0.0.1:{_free_port()}/", CODE_SECRET_ENV: "s"}  # nobody listens
    for _ in range(9):
        assert check_facilitator_code("WRONG", "ABCD-EFGH", kernel_id="k", environ=unreachable) is False
    assert check_facilitator_code("abcd-efgh", "ABCD-EFGH", kernel_id="k", environ=unreachable) is True
    assert check_facilitator_code("WRONG", "ABCD-EFGH", kernel_id="k", environ=unreachable) is False
    with pytest.raises(CodePaused):
        check_facilitator_code("ABCD-EFGH", "ABCD-EFGH", kernel_id="k", environ=unreachable)
    # Outside a workshop (a notebook): no code needed when none is set, and no server to ask.
    assert check_facilitator_code("anything", None, environ={}) is True
    assert check_facilitator_code("abcd-efgh", "ABCD-EFGH", environ={}) is True
    assert check_facilitator_code("WRONG", "ABCD-EFGH", environ={}) is False


# ---------------------------------------------------------------- the certificate


def test_the_certificate_names_the_room_address_and_its_fingerprint_is_what_browsers_show(tmp_path: Path) -> None:
    from cryptography import x509

    made = room_certificate(tmp_path, "192.168.1.23")
    pem = made.certfile.read_bytes()
    der = ssl.PEM_cert_to_DER_cert(pem.decode())
    expected = hashlib.sha256(der).hexdigest().upper()  # worked out independently of the code
    assert made.fingerprint.replace(":", "") == expected and len(made.fingerprint.split(":")) == 32
    names = x509.load_pem_x509_certificate(pem).extensions.get_extension_for_class(x509.SubjectAlternativeName)
    ips = {str(ip) for ip in names.value.get_values_for_type(x509.IPAddress)}
    assert {"192.168.1.23", "127.0.0.1"} <= ips
    assert stat.S_IMODE(made.keyfile.stat().st_mode) == 0o600
    assert stat.S_IMODE(made.keyfile.parent.stat().st_mode) == 0o700
    assert room_certificate(tmp_path, "192.168.1.23").fingerprint == made.fingerprint  # kept across restarts
    assert room_certificate(tmp_path, "10.1.1.4").fingerprint != made.fingerprint  # the laptop moved network
    assert fingerprint(made.certfile.read_bytes()) != made.fingerprint


# ---------------------------------------------------------------- the command line and the kernel release


@pytest.fixture
def config(tmp_path: Path, demo_dir: Path) -> server.WorkshopConfig:
    return server.WorkshopConfig.resolve(demo_dir / "evaluation.csv", default_contract_dir(), folder=tmp_path / "w",
                                         port=8878, lan=True)  # fmt: skip


def test_the_pages_are_served_by_the_room_s_voila_which_releases_kernels_and_never_culls_the_pool(config) -> None:
    command = server.voila_command(config)
    assert command[:3] == [sys.executable, "-m", "dpup_eval.workshop.voila_process"]
    assert "--MappingKernelManager.cull_idle_timeout=0" in command  # Voila's culler could take a pool kernel
    assert "--RoomVoila.release_after=90" in command  # released within two minutes of the tab closing
    assert "--KernelManager.transport=ipc" in command  # no kernel ports on TCP, and no warning about it
    assert "--VoilaExecutor.iopub_timeout=120" in command  # a busy laptop's page is not served empty
    env = server.voila_env(config, base={})
    assert env[PARENT_ENV] == str(os.getpid())
    assert env[CODE_SECRET_ENV] == config.kernel_secret and len(config.kernel_secret) >= 32
    assert config.kernel_secret not in " ".join(config.urls("10.0.0.5").values())


def test_there_is_one_command_line_for_the_workshop() -> None:
    """Issue 15: `python -m dpup_eval.workshop.server` (a second CLI with its own options) is gone."""
    assert not hasattr(server, "main")
    result = subprocess.run([sys.executable, "-m", "dpup_eval.workshop.server", "--help"], capture_output=True,
                            text=True, timeout=120)  # fmt: skip
    assert result.returncode == 0 and result.stdout == ""  # a module, not a program


class FakeKernels:
    """What KernelRelease sees of Voila's kernel manager: kernels, their connections and state."""

    def __init__(self) -> None:
        self.models: dict[str, dict[str, object]] = {}
        self.shut: list[str] = []
        self.log = __import__("logging").getLogger("test")

    def __contains__(self, kernel_id: str) -> bool:
        return kernel_id in self.models

    def kernel_model(self, kernel_id: str) -> dict[str, object]:
        return self.models[kernel_id]

    async def shutdown_kernel(self, kernel_id: str) -> None:
        self.shut.append(kernel_id)
        del self.models[kernel_id]


def test_a_page_kernel_is_released_once_no_browser_has_been_connected_for_the_set_time() -> None:
    from dpup_eval.workshop.voila_process import KernelRelease

    clock, kernels = Clock(), FakeKernels()
    release = KernelRelease(kernels, after=90, clock=clock)
    for kernel_id in ("pool", "open-tab", "closed-tab", "never-connected", "still-building"):
        kernels.models[kernel_id] = {"connections": 0, "execution_state": "idle"}
    for kernel_id in ("open-tab", "closed-tab", "never-connected", "still-building"):
        release.watch(kernel_id)  # handed to a page ("pool" is still waiting in the pool)
    kernels.models["open-tab"]["connections"] = 1
    kernels.models["closed-tab"]["connections"] = 1
    kernels.models["still-building"]["execution_state"] = "busy"
    sweep = lambda: asyncio.run(release.sweep())  # noqa: E731
    assert sweep() == []
    clock.now += 30
    assert sweep() == []  # seen connected at 30 s
    kernels.models["closed-tab"]["connections"] = 0  # then its tab closes
    clock.now += 60  # 90 s after the page was handed out, 60 s after the tab closed
    assert sweep() == ["never-connected"]
    clock.now += 30
    assert sweep() == ["closed-tab"]  # 90 s after the tab closed
    clock.now += 600
    assert sweep() == [] and set(kernels.models) == {"pool", "open-tab", "still-building"}
    kernels.models["still-building"]["execution_state"] = "idle"  # built; its browser never came
    clock.now += 90
    assert sweep() == ["still-building"]


# ---------------------------------------------------------------- real workshops


def test_voila_and_its_kernels_die_with_the_workshop_when_it_is_killed(tmp_path: Path, demo_dir: Path) -> None:
    """kill -9 of `dpup-eval workshop` used to leave Voila and its kernels serving the data."""
    port = _free_port()
    workshop = Workshop(workshop_command(tmp_path / "w", port, default_contract_dir(), demo_dir / "evaluation.csv",
                                         "--pool-size", "1"))  # fmt: skip
    try:
        workshop.wait_ready()
        voila = workshop.voila
        deadline = time.monotonic() + 300
        while len(workshop.kernels()) < 2 and time.monotonic() < deadline:  # the pool of the two main pages
            time.sleep(1)
        kernels = workshop.kernels()
        assert kernels
        forks = [pid for pid in children(voila) if b"kernel_forks" in command_line(pid) and not is_kernel(pid)]
        assert len(forks) == 1  # the room's Voila forks its page kernels from one warm process
        assert Path(f"/proc/{voila}/environ").read_bytes().count(f"{PARENT_ENV}={workshop.process.pid}".encode())
        assert voila in _listening(port)  # what the last check looks for is found while it serves
        workshop.process.kill()  # kill -9
        workshop.process.wait()
        deadline = time.monotonic() + 120
        while any(alive(pid) for pid in [voila, *forks, *kernels]) and time.monotonic() < deadline:
            time.sleep(0.5)
        assert not alive(voila), "Voila outlived the workshop"
        assert not alive(forks[0]), "the fork server outlived the workshop"
        assert not [pid for pid in kernels if alive(pid)], "kernels outlived the workshop"
        ours = f"{PARENT_ENV}={workshop.process.pid}".encode()  # in the environment of all the workshop started
        assert not [pid for pid in _listening(port) if ours in proc_file(pid, "environ")], "the workshop still listens"
    finally:
        workshop.kill_leftovers()


def _listening(port: int) -> set[int]:
    """The processes with a socket listening on ``port`` (another test may be given the port once it is
    free, so what matters is whose socket it is)."""
    inodes = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        with contextlib.suppress(OSError):
            for line in Path(table).read_text().splitlines()[1:]:
                fields = line.split()
                if fields[1].endswith(f":{port:04X}") and fields[3] == "0A":  # 0A: LISTEN
                    inodes.add(f"socket:[{fields[9]}]")
    pids = set()
    for fd in Path("/proc").glob("[0-9]*/fd/*"):
        with contextlib.suppress(OSError):
            if str(fd.readlink()) in inodes:
                pids.add(int(fd.parts[2]))
    return pids


def _opener(context: ssl.SSLContext, jar: http.cookiejar.CookieJar) -> urllib.request.OpenerDirector:
    class NoRedirect(urllib.request.HTTPRedirectHandler):
        def redirect_request(self, *args: object, **kwargs: object) -> None:
            return None

    return urllib.request.build_opener(
        urllib.request.HTTPSHandler(context=context), urllib.request.HTTPCookieProcessor(jar), NoRedirect
    )


def test_a_lan_workshop_over_tls_with_strict_cookies_a_limit_on_codes_and_a_quiet_terminal(
    tmp_path: Path, demo_dir: Path
) -> None:
    port = _free_port()
    workshop = Workshop(workshop_command(tmp_path / "w", port, default_contract_dir(), demo_dir / "evaluation.csv",
                                         "--lan", "--tls", "--pool-size", "0"))  # fmt: skip
    try:
        workshop.wait_ready()
        terminal = "\n".join(workshop.lines)
        # The terminal: addresses, the codes, the fingerprint, how to stop; nothing from Voila or kernels.
        for noise in ("not trusted", "without encryption", "WARNING", "[Voila]", "[RoomVoila]", "IPKernelApp"):
            assert noise not in terminal
        assert len(workshop.lines) <= 13 + len(server.PAGES), terminal  # one address line per page, 13 others
        code, facilitator = workshop.line("Join code"), workshop.line("Facilitator code")
        certfile = tmp_path / "w" / "tls" / "certificate.pem"
        shown = next(line for line in workshop.lines if "SHA-256" in line).split("SHA-256 ", 1)[1]
        der = ssl.PEM_cert_to_DER_cert(certfile.read_text())
        assert shown.replace(":", "") == hashlib.sha256(der).hexdigest().upper()
        addresses = [line.split(": ", 1)[1] for line in workshop.lines if "/voila/render/" in line]
        assert addresses and all(a.startswith("https://") and a.endswith(f"?token={code}") for a in addresses)

        context = ssl.create_default_context(cafile=str(certfile))  # trusts this certificate, checks the name
        page = f"https://127.0.0.1:{port}/voila/render/success_measures.ipynb"
        with pytest.raises(OSError):  # plain HTTP is not served (refused or reset)
            urllib.request.urlopen(page.replace("https:", "http:"), timeout=30)
        jar = http.cookiejar.CookieJar()
        with _opener(context, jar).open(f"https://127.0.0.1:{port}/voila/tree?token={code}", timeout=60) as r:
            cookies = r.headers.get_all("Set-Cookie")
        login = next(c for c in cookies if c.startswith("username-"))
        flags = {part.strip().lower() for part in login.split(";")}
        assert {"httponly", "secure", "samesite=strict"} <= flags

        fresh = _opener(context, http.cookiejar.CookieJar())
        refused = []
        for n in range(12):
            try:
                fresh.open(f"{page}?token=WRONG-{n:04d}", timeout=60).close()
            except urllib.error.HTTPError as error:
                refused.append(error.code)
        assert refused[:10] == [302] * 10  # to the login page: the first ten wrong codes are just wrong
        assert refused[10:] == [429, 429]  # then the device waits
        with pytest.raises(urllib.error.HTTPError) as paused:
            fresh.open(f"{page}?token={code}", timeout=60)  # even the right code, while paused
        assert paused.value.code == 429 and b"Wait" in paused.value.read()
        assert int(paused.value.headers["Retry-After"]) > 0
        form_jar = http.cookiejar.CookieJar()  # the login form, as a browser sends it (with its _xsrf)
        browser = _opener(context, form_jar)
        with pytest.raises(urllib.error.HTTPError) as form:
            browser.open(f"https://127.0.0.1:{port}/login", timeout=60).close()
            xsrf = next(c.value for c in form_jar if c.name == "_xsrf")
            browser.open(f"https://127.0.0.1:{port}/login",
                         data=urllib.parse.urlencode({"password": code, "_xsrf": xsrf}).encode(), timeout=60)  # fmt: skip
        assert form.value.code == 429

        # The facilitator code, checked by the page server for a page's kernel (as a page does).
        environ = Path(f"/proc/{workshop.voila}/environ").read_bytes().split(b"\0")
        secret = next(v.split(b"=", 1)[1].decode() for v in environ if v.startswith(CODE_SECRET_ENV.encode() + b"="))
        kernel_env = {ENV["server"]: f"https://127.0.0.1:{port}/", CODE_SECRET_ENV: secret, CERT_ENV: str(certfile)}
        ask = lambda typed: check_facilitator_code(typed, facilitator, kernel_id="k-1", environ=kernel_env)  # noqa: E731
        assert ask(facilitator.lower()) is True
        assert [ask(f"WRONG-{n:04d}") for n in range(10)] == [False] * 10
        with pytest.raises(CodePaused):
            ask(facilitator)
        with pytest.raises(urllib.error.HTTPError) as forbidden:  # only the page kernels hold the secret
            CodeCheck(f"https://127.0.0.1:{port}/", "not-the-secret", "k-2", str(certfile))(facilitator)
        assert forbidden.value.code == 403
    finally:
        assert workshop.stop() == 0
    assert "Stopped" in workshop.lines[-1]


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="PR_SET_PDEATHSIG is Linux's")
def test_the_lifeline_stops_a_child_whose_parent_was_killed(tmp_path: Path) -> None:
    """The two checks on their own: the kernel's notice, and the watchdog when the notice cannot help."""
    child_code = (
        "import os, signal, sys, time\n"
        "from dpup_eval.workshop.lifeline import die_with_parent, parent_death_signal\n"
        "die_with_parent(int(sys.argv[1]), signal.SIGTERM, every=0.2, grace=5)\n"
        "print(parent_death_signal(), flush=True)\n"
        "time.sleep(600)\n"
    )
    parent_code = (
        "import subprocess, sys, os, time\n"
        f"child = subprocess.Popen([sys.executable, '-c', {child_code!r}, str(os.getpid())])\n"
        "print(child.pid, flush=True)\n"
        "time.sleep(600)\n"
    )
    parent = subprocess.Popen([sys.executable, "-c", parent_code], stdout=subprocess.PIPE, text=True,
                              start_new_session=True)  # fmt: skip
    child = 0
    try:
        child = int(parent.stdout.readline())
        assert parent.stdout.readline().strip() == str(int(signal.SIGTERM))  # the notice is set
        assert alive(child)
        parent.kill()
        parent.wait()
        deadline = time.monotonic() + 30
        while alive(child) and time.monotonic() < deadline:
            time.sleep(0.1)
        assert not alive(child)
    finally:
        for pid in (parent.pid, child):
            if pid and alive(pid):
                os.kill(pid, signal.SIGKILL)


def test_pool_pages_are_rebuilt_one_at_a_time() -> None:
    """Ten people took ten ready pages: the ten rebuilt after them wait their turn (one core stays free)."""
    from dpup_eval.workshop.voila_process import at_most

    running, most = 0, 0

    async def build(n: int) -> int:
        nonlocal running, most
        running += 1
        most = max(most, running)
        await asyncio.sleep(0.01)
        running -= 1
        return n

    # one gate per wrapped function: the same wrapper serves every refill
    limited = at_most(1, build)

    async def ten_shared() -> list[int]:
        return list(await asyncio.gather(*(limited(n) for n in range(10))))

    assert asyncio.run(ten_shared()) == list(range(10)) and most == 1
    most = 0

    async def ten_ungated() -> None:
        await asyncio.gather(*(build(n) for n in range(10)))

    asyncio.run(ten_ungated())
    assert most == 10  # without the gate, all ten at once (the check above can fail)



class _Pool:
    """Voila's kernel manager as Refills sees it: pools of page builds (tasks), a hand-out and a build."""

    def __init__(self) -> None:
        self._pools: dict[str, list[asyncio.Future[dict[str, str]]]] = {}
        self.built: list[tuple[str, float]] = []
        self.now = 0.0
        self.rendering = self.most = 0

    def add_ready(self, notebook: str, count: int) -> None:
        for n in range(count):
            ready: asyncio.Future[dict[str, str]] = asyncio.get_running_loop().create_future()
            ready.set_result({"kernel_id": f"{notebook}-{n}"})
            self._pools.setdefault(notebook, []).append(ready)

    async def get_rendered_notebook(self, notebook: str) -> dict[str, str]:
        return await self._pools[notebook].pop(0)

    async def _initialize(self, notebook: str, kernel_id: str | None = None) -> dict[str, object]:
        """As Voila's: starts the kernel and returns, the page's code still running in a task."""
        self.built.append((notebook, self.now))

        async def render() -> None:
            self.rendering += 1
            self.most = max(self.most, self.rendering)
            await asyncio.sleep(0.02)
            self.rendering -= 1

        return {"task": asyncio.ensure_future(render()), "kernel_id": kernel_id or f"new-{len(self.built)}"}


def test_taken_pages_are_rebuilt_once_the_room_is_quiet_or_at_once_when_none_is_ready() -> None:
    """Ten people join together: the pages they took are rebuilt after they have joined, not while."""
    from dpup_eval.workshop.voila_process import Refills

    async def scenario() -> None:
        pool = _Pool()
        refills = Refills(pool, at_once=1, quiet=5.0, clock=lambda: pool.now, step=0.001)
        refills.hook()
        pool.add_ready("join.ipynb", 3)
        await pool.get_rendered_notebook("join.ipynb")  # a person joins at t=0; two pages stay ready
        rebuild = asyncio.ensure_future(pool._initialize("join.ipynb"))
        for pool.now in (1.0, 2.0, 4.9):
            await asyncio.sleep(0.01)
            assert not rebuild.done(), f"rebuilt at t={pool.now} while people were joining"
        pool.now = 5.1
        await asyncio.wait_for(rebuild, 1)
        assert pool.built == [("join.ipynb", 5.1)]

        # the last ready page is taken: the next person would wait, so the rebuild starts at once
        await pool.get_rendered_notebook("join.ipynb")
        await pool.get_rendered_notebook("join.ipynb")
        await asyncio.wait_for(pool._initialize("join.ipynb"), 1)
        assert pool.built[-1] == ("join.ipynb", 5.1)

        # a restarted kernel (kernel_id given) is rebuilt at once, whatever the room is doing
        pool.add_ready("join.ipynb", 1)
        await pool.get_rendered_notebook("join.ipynb")
        pool.add_ready("join.ipynb", 1)
        await asyncio.wait_for(pool._initialize("join.ipynb", "k-restarted"), 1)

        # one page BUILT at a time (Voila's build returns when the kernel has started, its page still running)
        await asyncio.sleep(0.05)  # the restarted kernel's page is built
        pool.now, pool.most = 100.0, 0
        built = await asyncio.gather(*(pool._initialize("findings.ipynb") for _ in range(3)))
        assert pool.most == 1 and all(page["task"].done() for page in built)
        pool.most = 0
        await asyncio.gather(*(_Pool._initialize(pool, "findings.ipynb") for _ in range(3)))
        await asyncio.sleep(0.05)
        assert pool.most == 3  # Voila's own build, unwrapped: all three at once (the check above can fail)

        # a page whose code never finishes holds the gate for build_limit seconds, not for ever
        stuck: asyncio.Future[None] = asyncio.get_running_loop().create_future()

        async def never_done(notebook: str, kernel_id: str | None = None) -> dict[str, object]:
            return {"task": stuck, "kernel_id": "stuck"}

        pool._initialize = never_done  # type: ignore[method-assign]
        Refills(pool, at_once=1, quiet=0, clock=lambda: pool.now, step=0.001, build_limit=0.05).hook()
        await asyncio.wait_for(asyncio.gather(pool._initialize("stuck.ipynb"), pool._initialize("stuck.ipynb")), 1)
        assert not stuck.done()  # both went through the gate, one after the other, while the page never finished

    asyncio.run(scenario())


@pytest.mark.parametrize("route", ["/static", "/lab/extensions/static"])
def test_static_files_are_compressed_once_and_sent_whole_to_the_next_browser(tmp_path: Path, route: str) -> None:
    """The second browser gets the same bytes without the laptop compressing them again; a file that
    changed is compressed anew; pages and partial responses are not served from the store. Tornado's
    static handler sends an ETag; Jupyter's (the second route here) do not."""
    import gzip
    import random

    from tornado import web
    from tornado.httpclient import AsyncHTTPClient
    from tornado.httpserver import HTTPServer
    from tornado.testing import bind_unused_port

    from dpup_eval.workshop import voila_process
    from dpup_eval.workshop.voila_process import QuickGZip

    rng = random.Random(12)
    script = tmp_path / "big.js"  # larger than tornado's 64 KB chunks: sent in several
    script.write_text("".join(rng.choice("abcdefgh ;\n") for _ in range(300_000)))

    class Jupyter(web.StaticFileHandler):
        def compute_etag(self) -> None:
            return None

    class Page(web.RequestHandler):
        def get(self) -> None:
            self.write("<p>" + "page " * 500 + "</p>")

    compressions: list[int] = []
    real = voila_process.GZipContentEncoding.transform_chunk

    def counted(self: QuickGZip, chunk: bytes, finishing: bool) -> bytes:
        compressions.append(len(chunk))
        return real(self, chunk, finishing)

    async def scenario() -> None:
        QuickGZip.compressed.clear()
        files = web.StaticFileHandler if route == "/static" else Jupyter
        app = web.Application([(route + r"/(.*)", files, {"path": str(tmp_path)}), (r"/page", Page)],
                              transforms=[QuickGZip])  # fmt: skip
        sock, port = bind_unused_port()
        http = HTTPServer(app)
        http.add_sockets([sock])
        client = AsyncHTTPClient()

        async def get(path: str, **headers: str) -> tuple[bytes, dict[str, str]]:
            answer = await client.fetch(f"http://127.0.0.1:{port}{path}", decompress_response=False,
                                        headers={"Accept-Encoding": "gzip", **headers})  # fmt: skip
            assert answer.headers.get("Content-Encoding") == "gzip"
            return gzip.decompress(answer.body), dict(answer.headers)

        try:
            first, headers = await get(f"{route}/big.js")
            assert ("Etag" in headers) == (route == "/static")
            done = len(compressions)
            assert done > 1 and first == script.read_bytes()
            second, headers = await get(f"{route}/big.js")
            assert second == script.read_bytes() and len(compressions) == done  # nothing compressed again
            assert int(headers["Content-Length"]) == len(next(iter(QuickGZip.compressed.values())))

            script.write_text("changed;\n" * 20_000)
            changed, _ = await get(f"{route}/big.js")
            assert changed == script.read_bytes() and len(compressions) > done

            for _ in range(2):
                page, _ = await get("/page")
                assert page.startswith(b"<p>page")
            assert len(QuickGZip.compressed) == 2  # the two versions of the script, no page
            partial = await client.fetch(f"http://127.0.0.1:{port}{route}/big.js", decompress_response=False,
                                         headers={"Accept-Encoding": "gzip", "Range": "bytes=0-99"})  # fmt: skip
            assert partial.code == 206 and gzip.decompress(partial.body) == script.read_bytes()[:100]
            assert len(QuickGZip.compressed) == 2  # a part is compressed each time, not kept
        finally:
            http.stop()
            QuickGZip.compressed.clear()

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(voila_process.GZipContentEncoding, "transform_chunk", counted)
        asyncio.run(scenario())


@pytest.mark.parametrize("route", ["/static", "/lab/extensions/static"])
def test_a_static_file_is_sent_again_from_memory_without_reading_it(tmp_path: Path, route: str) -> None:
    """After the first whole compressed answer, the same address is answered from memory: the file is not
    read again, the bytes and the file's headers are the same, and the new request's own headers (here a
    cookie) are its own. A changed file, a partial request and a conditional one are answered as usual."""
    import gzip

    from tornado import web
    from tornado.httpclient import AsyncHTTPClient
    from tornado.httpserver import HTTPServer
    from tornado.testing import bind_unused_port

    from dpup_eval.workshop.voila_process import QuickGZip, StaticFromMemory

    script = tmp_path / "app.js"
    script.write_text("var x = 1;\n" * 30_000)
    served = iter(range(1, 1000))

    class Files(web.StaticFileHandler):
        def prepare(self) -> None:
            self.set_cookie("visit", str(next(served)))  # what one answer says to one browser only

        def compute_etag(self) -> str | None:
            return None if route != "/static" else super().compute_etag()

    reads: list[str] = []
    real_read = web.StaticFileHandler.get_content.__func__  # type: ignore[attr-defined]

    def counted(cls: type, abspath: str, start: int | None = None, end: int | None = None) -> object:
        reads.append(abspath)
        return real_read(cls, abspath, start, end)

    async def scenario() -> None:
        app = web.Application([(route + r"/(.*)", Files, {"path": str(tmp_path)})], transforms=[QuickGZip])
        sock, port = bind_unused_port()
        http = HTTPServer(app)
        http.add_sockets([sock])
        client = AsyncHTTPClient()

        async def get(**headers: str) -> Any:
            return await client.fetch(f"http://127.0.0.1:{port}{route}/app.js?v=1", decompress_response=False,
                                      headers={"Accept-Encoding": "gzip", **headers}, raise_error=False)  # fmt: skip

        try:
            first = await get()
            assert first.code == 200 and gzip.decompress(first.body) == script.read_bytes()
            read = len(reads)  # once, or twice with Tornado's ETag (a hash of the file)
            assert read >= 1
            second = await get()
            assert second.code == 200 and second.body == first.body
            assert len(reads) == read  # not read again
            for name in ("Content-Type", "Content-Encoding", "Last-Modified", "Etag", "Cache-Control"):
                assert second.headers.get(name) == first.headers.get(name), name
            assert int(second.headers["Content-Length"]) == len(second.body)
            assert [c.split(";")[0] for c in first.headers.get_list("Set-Cookie")] == ["visit=1"]
            assert [c.split(";")[0] for c in second.headers.get_list("Set-Cookie")] == ["visit=2"]  # its own only

            partial = await get(Range="bytes=0-9")
            assert partial.code == 206 and len(reads) > read
            modified = await get(**{"If-Modified-Since": first.headers["Last-Modified"]})
            assert modified.code == 304

            before = len(reads)
            script.write_text("var y = 2;\n" * 20_000)  # another length: changed
            changed = await get()
            assert gzip.decompress(changed.body) == script.read_bytes() and len(reads) > before
            after = len(reads)
            again = await get()
            assert again.body == changed.body and len(reads) == after  # the new version, kept
        finally:
            http.stop()
            QuickGZip.compressed.clear()
            StaticFromMemory.answers.clear()

    with pytest.MonkeyPatch.context() as patch:
        for name in ("get", "on_finish"):  # put back after the test: the hook changes Tornado's class
            patch.setattr(web.StaticFileHandler, name, getattr(web.StaticFileHandler, name))
        patch.setattr(web.StaticFileHandler, "_dpup_from_memory", False, raising=False)
        patch.setattr(web.StaticFileHandler, "get_content", classmethod(counted))
        StaticFromMemory.answers.clear()
        StaticFromMemory.hook()
        asyncio.run(scenario())


def test_page_templates_are_compiled_once_for_all_the_pages_served(tmp_path: Path) -> None:
    """Voila makes a new Jinja environment per page: the second page's environment compiles nothing,
    and a template changed on disk is compiled again (its new text is what is served)."""
    from jinja2 import Environment, FileSystemLoader
    from voila.exporter import VoilaExporter

    from dpup_eval.workshop.voila_process import CompiledTemplates

    (tmp_path / "page.html").write_text("{% for n in range(3) %}{{ n }}{% endfor %} {{ who }}")
    cache = CompiledTemplates()
    compiled: list[str] = []
    real = Environment._compile

    def counted(self: Environment, source: str, filename: str) -> object:
        compiled.append(filename)
        return real(self, source, filename)

    def page(**values: str) -> str:  # what Voila does per page: a fresh environment
        environment = Environment(loader=FileSystemLoader(tmp_path), bytecode_cache=cache)
        return environment.get_template("page.html").render(**values)

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(Environment, "_compile", counted)
        assert page(who="Mere") == "012 Mere"
        assert page(who="Tama") == "012 Tama" and len(compiled) == 1
        (tmp_path / "page.html").write_text("changed {{ who }}")
        assert page(who="Mere") == "changed Mere" and len(compiled) == 2

        patch.setattr(VoilaExporter, "_create_environment", VoilaExporter._create_environment)  # undone after
        cache.hook()
        CompiledTemplates().hook()  # a second hook keeps the first cache
        assert VoilaExporter()._create_environment().bytecode_cache is cache
