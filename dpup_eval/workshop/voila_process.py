"""The process that serves the workshop pages: Voila, with what a real room needs added.

``dpup-eval workshop`` runs ``python -m dpup_eval.workshop.voila_process <Voila's options>`` instead of
plain Voila. Same pages, same options, plus:

* **Kernels are released.** Each page has its own kernel (about 250 MB). Voila 0.5 never shuts one down
  when its tab closes, and idle culling never fires for the workshop's pages (their polling counts as
  activity). Here a page's kernel is shut down once no browser has been connected to it for
  ``release_after`` seconds (checked every ``release_every`` seconds): a closed tab, or a page fetched and
  never opened. Kernels waiting in Voila's pool (no browser yet, by design) are never touched, so a
  ready kernel is not lost between being handed to a browser and the browser connecting.
* **Kernels are forked** from one warm process (:mod:`dpup_eval.workshop.kernel_forks`): a page's kernel
  starts in a fraction of a second and shares what every page imports with the others.
* **It dies with the workshop** (:mod:`dpup_eval.workshop.lifeline`): if ``dpup-eval workshop`` is killed
  outright, this process stops as on Ctrl-C, shutting its kernels down.
* **Compressed responses** (gzip): a page's scripts and styles are about 10 MB uncompressed. Each static
  file is compressed once and kept (:class:`QuickGZip`), and sent again from memory
  (:class:`StaticFromMemory`).
* **A page's scripts come as one file** (:mod:`dpup_eval.workshop.page_scripts`), not 90 pieces fetched
  in rounds.
* **Page templates are compiled once** (:class:`CompiledTemplates`), not for every page served.
* **Taken pages are rebuilt after the room has joined** (:class:`Refills`): one at a time, once no page
  has been taken for a few seconds (at once if none is left ready), so people joining together get the
  laptop's cores first.
* **TLS** when given a certificate (``--RoomVoila.certfile`` / ``keyfile``; ``dpup-eval workshop --lan --tls``).
* **A limit on wrong codes** (:mod:`dpup_eval.workshop.code_limits`): the join code in an address or the
  login form, and the facilitator code typed in a page (pages ask this process, which knows the device).
* **The login cookie** is ``HttpOnly``, ``SameSite=Strict``, and ``Secure`` over TLS.

Options are Voila's (``--Voila.*``, ``--VoilaConfiguration.*``, ...) and this class's (``--RoomVoila.*``).
"""

from __future__ import annotations

import asyncio
import functools
import hmac
import html
import inspect
import json
import os
import signal
import ssl
import sys
import time
from pathlib import Path
from typing import Any, ClassVar

from jinja2.bccache import Bucket, BytecodeCache
from jupyter_core.utils import ensure_async
from jupyter_server.auth.identity import PasswordIdentityProvider, User
from tornado import httputil, web
from tornado.ioloop import PeriodicCallback
from tornado.web import GZipContentEncoding
from traitlets import Bool, Float, Int, Unicode, default
from voila.app import Voila
from voila.tornado.kernel_websocket_handler import VoilaKernelWebsocketHandler

from dpup_eval.workshop.code_limits import (
    CODE_SECRET_ENV,
    FACILITATOR_PATH,
    CodePaused,
    WrongCodeLimiter,
)
from dpup_eval.workshop.lifeline import PARENT_ENV, die_with_parent
from dpup_eval.workshop.page_scripts import ROUTE as PAGE_SCRIPTS_ROUTE
from dpup_eval.workshop.page_scripts import PageScriptsHandler, page_scripts

__all__ = [
    "CompiledTemplates", "KernelRelease", "QuickGZip", "Refills", "RoomIdentityProvider", "RoomVoila", "StaticFromMemory",
    "at_most", "main",
]  # fmt: skip

#: Wrong join codes, per device (the Voila process's one instance; its settings come from RoomVoila).
JOIN_CODES = WrongCodeLimiter()
#: Wrong facilitator codes, per device.
FACILITATOR_CODES = WrongCodeLimiter()
#: Which device (network address) each page's kernel was last connected from.
DEVICES: dict[str, str] = {}
#: Environment variable through which the workshop gives this process the facilitator code.
FACILITATOR_ENV = "DPUP_WORKSHOP_FACILITATOR_CODE"


class QuickGZip(GZipContentEncoding):
    """gzip at level 1, and each static file compressed once.

    A fresh browser's 9.8 MB of scripts cost 0.12 s of the laptop's CPU to compress at level 1 (0.31 s at
    tornado's level 6): 1.2 s of a 2-core laptop when ten people join at once. The compressed bytes of a
    static file (``/static/`` in the path) are kept under its address, time and length (a few MB in all,
    ``LIMIT`` at most), so the next browser is sent them without compressing again. Pages,
    API answers and partial (``Range``) responses are compressed each time, as before.
    """

    GZIP_LEVEL = 1
    LIMIT = 64 * 1024 * 1024
    compressed: ClassVar[dict[str, bytes]] = {}

    def __init__(self, request: httputil.HTTPServerRequest) -> None:
        super().__init__(request)
        self._static = "/static/" in request.path and request.method == "GET"
        self._uri = request.uri or ""
        self._key: str | None = None
        self._sent_whole = False
        self._parts: list[bytes] = []
        self._headers: httputil.HTTPHeaders | None = None
        self.kept: bytes | None = None

    def transform_first_chunk(
        self, status_code: int, headers: httputil.HTTPHeaders, chunk: bytes, finishing: bool
    ) -> tuple[int, httputil.HTTPHeaders, bytes]:
        key = self._store_key(status_code, headers)
        if key is not None and key in self.compressed:
            whole = self.compressed[key]
            headers["Vary"] = f"{headers['Vary']}, Accept-Encoding" if "Vary" in headers else "Accept-Encoding"
            headers["Content-Encoding"] = "gzip"
            headers["Content-Length"] = str(len(whole))
            self._sent_whole = True
            return status_code, headers, whole
        status_code, headers, chunk = super().transform_first_chunk(status_code, headers, chunk, finishing)
        if key is not None and self._gzipping:  # (super may decide not to compress: nothing kept then)
            self._key, self._headers = key, headers
            self._keep(chunk, finishing)
        return status_code, headers, chunk

    def _store_key(self, status_code: int, headers: httputil.HTTPHeaders) -> str | None:
        """The key a whole static file's compressed bytes are kept under, or None for any other answer.

        A static file answer names the file's time and length (Jupyter's static handlers send no ETag):
        with its address, a file changed on disk is not answered with its old bytes."""
        if not (self._static and self._gzipping and status_code == 200):
            return None
        stamp = [headers.get(name) for name in ("Last-Modified", "Content-Length")]
        return " ".join([self._uri, *map(str, stamp), str(headers.get("Etag"))]) if all(stamp) else None

    def transform_chunk(self, chunk: bytes, finishing: bool) -> bytes:
        if self._sent_whole:
            return b""  # the rest of the file went with the first chunk
        chunk = super().transform_chunk(chunk, finishing)
        if self._key is not None:
            self._keep(chunk, finishing)
        return chunk

    def _keep(self, chunk: bytes, finishing: bool) -> None:
        self._parts.append(chunk)
        if finishing and self._key is not None:
            whole = b"".join(self._parts)
            if sum(map(len, self.compressed.values())) + len(whole) <= self.LIMIT:
                self.compressed[self._key] = whole
                self.kept = whole
            self._parts = []

    def kept_answer(self) -> tuple[list[tuple[str, str]], bytes] | None:
        """The whole compressed answer this request sent and kept (its headers and bytes), if any."""
        if self._key is None or self.kept is None or self._headers is None:
            return None
        return list(self._headers.get_all()), self.kept


class StaticFromMemory:
    """A static file sent again from memory, without reading it or going through Tornado's file handling.

    Even with its compressed bytes kept (:class:`QuickGZip`), each static file answer made Tornado find the
    file (``realpath``, ``exists``), work out its headers and read it from disk in 64 KB pieces, only for
    the pieces to be thrown away: 0.7 s of Voila's one thread when ten people joined (py-spy; 95 files
    each). Here the first whole compressed answer of a static file is kept with its headers, and a later
    plain request for the same address (GET, gzip accepted, no ``Range`` or conditional header) is answered
    with them after one ``stat``: if the file's time or length changed, it is answered as usual (and kept
    again). Only the file's answer is skipped: the handler's checks (who may fetch it) ran before it.
    """

    #: The headers that belong to the file's answer and are sent again with it. Nothing else: the new
    #: request's own headers (security headers, a cookie, the date) come from its own handler.
    FILE_HEADERS = frozenset(("content-type", "content-encoding", "content-length", "vary", "last-modified",
                              "cache-control", "expires", "accept-ranges", "etag"))  # fmt: skip
    #: address -> (file, its time in whole seconds and length when kept, headers, compressed bytes).
    answers: ClassVar[dict[str, tuple[str, int, int, list[tuple[str, str]], bytes]]] = {}

    @classmethod
    def hook(cls) -> None:
        if getattr(web.StaticFileHandler, "_dpup_from_memory", False):
            return
        original_get, original_finish = web.StaticFileHandler.get, web.StaticFileHandler.on_finish

        async def get(handler: web.StaticFileHandler, path: str, include_body: bool = True) -> None:
            if include_body and cls.answer(handler):
                return
            await original_get(handler, path, include_body)

        def on_finish(handler: Any) -> None:
            cls.keep(handler)
            original_finish(handler)

        web.StaticFileHandler.get = get  # type: ignore[method-assign,assignment]
        web.StaticFileHandler.on_finish = on_finish  # type: ignore[method-assign,assignment]
        web.StaticFileHandler._dpup_from_memory = True  # type: ignore[attr-defined]

    @classmethod
    def answer(cls, handler: web.StaticFileHandler) -> bool:
        request = handler.request
        kept = cls.answers.get(request.uri or "")
        if kept is None or request.method != "GET" or "gzip" not in request.headers.get("Accept-Encoding", ""):
            return False
        if any(name in request.headers for name in ("Range", "If-Modified-Since", "If-None-Match")):
            return False
        path, modified, length, headers, body = kept
        try:
            now = Path(path).stat()
        except OSError:
            return False
        if int(now.st_mtime) != modified or now.st_size != length:
            cls.answers.pop(request.uri or "", None)
            return False
        handler._transforms = []  # compressed already
        handler.absolute_path = path  # as Tornado's own answer would have it (its ETag, if any)
        for name, value in headers:
            handler.set_header(name, value)
        handler.finish(body)
        return True

    @classmethod
    def keep(cls, handler: web.StaticFileHandler) -> None:
        gzip = next((t for t in getattr(handler, "_transforms", None) or [] if isinstance(t, QuickGZip)), None)
        kept = gzip.kept_answer() if gzip is not None else None
        path, modified = handler.absolute_path, getattr(handler, "modified", None)
        if kept is None or not path or modified is None:
            return
        headers = [(name, value) for name, value in kept[0] if name.lower() in cls.FILE_HEADERS]
        body = kept[1]
        length = int(handler.get_content_size())
        cls.answers[handler.request.uri or ""] = (path, int(modified.timestamp()), length, headers, body)


class CompiledTemplates(BytecodeCache):
    """The page templates, compiled once for every page Voila serves.

    Voila builds a new Jinja environment for each page it serves, so it compiled the same templates
    again every time: about 70 ms of its one thread per page (py-spy, ten pages at once), which ten
    people joining together wait for in turn. Jinja keeps each template's checksum with its code, so a
    template changed on disk is compiled again."""

    def __init__(self) -> None:
        self.code: dict[str, bytes] = {}

    def load_bytecode(self, bucket: Bucket) -> None:
        if bucket.key in self.code:
            bucket.bytecode_from_string(self.code[bucket.key])

    def dump_bytecode(self, bucket: Bucket) -> None:
        self.code[bucket.key] = bucket.bytecode_to_string()

    def hook(self) -> None:
        """Give every environment Voila's exporter creates from now on this cache."""
        from voila.exporter import VoilaExporter

        create = VoilaExporter._create_environment
        if getattr(create, "compiled_templates", None) is not None:
            return

        @functools.wraps(create)
        def with_cache(exporter: Any) -> Any:
            environment = create(exporter)
            environment.bytecode_cache = self
            return environment

        with_cache.compiled_templates = self  # type: ignore[attr-defined]
        VoilaExporter._create_environment = with_cache


def at_most(limit: int, build: Any) -> Any:
    """``build`` (a coroutine function) run at most ``limit`` at a time.

    Ten people joining take ten ready pages at once, and Voila starts building ten more straight away: on a
    2-core laptop that took all of it just when the ten pages were being used for the first time."""
    gate = asyncio.Semaphore(limit)

    @functools.wraps(build)
    async def limited(*args: Any, **kwargs: Any) -> Any:
        async with gate:
            return await build(*args, **kwargs)

    return limited


class Refills:
    """When the pages people took are rebuilt: one at a time, and not while people are still joining.

    Voila rebuilds a taken page at once. When ten people join together, that is ten page builds (about a
    second of CPU each) on the laptop just as it serves the ten pages that were taken, and their kernels
    answer each browser's first questions. Here a rebuild waits until no page has been taken for ``quiet``
    seconds, unless the pool has no ready page left (then the next person would wait for it: it starts
    at once). At most ``at_once`` are built at the same time (0: no limit).
    """

    def __init__(self, kernel_manager: Any, at_once: int = 1, quiet: float = 5.0, clock: Any = time.monotonic,
                 step: float = 0.25, build_limit: float = 300.0) -> None:  # fmt: skip
        self.kernel_manager = kernel_manager
        self.build_limit = build_limit
        self.at_once = at_once
        self.quiet = quiet
        self.clock = clock
        self.step = step
        self.last_taken = -float("inf")

    def ready(self, notebook: str) -> int:
        """Pages of ``notebook`` built and waiting in the pool."""
        pool = getattr(self.kernel_manager, "_pools", {}).get(notebook, ())
        return sum(1 for task in pool if task.done() and not task.cancelled() and task.exception() is None)

    async def room_quiet(self, notebook: str) -> None:
        """Return when no page has been taken for ``quiet`` seconds, or when ``notebook`` has no ready page."""
        while self.clock() - self.last_taken < self.quiet and self.ready(notebook) > 0:
            await asyncio.sleep(self.step)

    def hook(self) -> None:
        """Wrap the kernel manager's page build (``_initialize``) and its hand-out of ready pages."""
        manager = self.kernel_manager
        take = manager.get_rendered_notebook
        build = manager._initialize

        async def taken(*args: Any, **kwargs: Any) -> Any:
            self.last_taken = self.clock()
            return await take(*args, **kwargs)

        async def when_quiet(notebook_path: str, kernel_id: str | None = None, **kwargs: Any) -> Any:
            if kernel_id is not None:  # a restarted kernel is rebuilt at once
                return await build(notebook_path, kernel_id, **kwargs)
            await self.room_quiet(notebook_path)
            content = await build(notebook_path, kernel_id, **kwargs)
            # Voila's build returns once the kernel has started, with the page's code still running in a
            # task: wait for that too, so that "one at a time" is one page built at a time, and a pool
            # page counts as ready (ready()) only when it is built. (asyncio.wait: a failed build is
            # Voila's to report, on the page, as before.)
            # A build that never ends (a page's code stuck) holds the gate ``build_limit`` seconds at most.
            render = content.get("task") if isinstance(content, dict) else None
            if isinstance(render, asyncio.Future):
                await asyncio.wait([render], timeout=self.build_limit)
            return content

        manager.get_rendered_notebook = taken
        manager._initialize = at_most(self.at_once, when_quiet) if self.at_once > 0 else when_quiet


class KernelRelease:
    """Shut down page kernels no browser is connected to (see the module's docstring).

    A kernel is watched from the moment it is handed to a page (taken from the pool, or started for a
    page). Its clock restarts whenever a browser is connected or the kernel is busy (still building its
    page); when it has been alone and idle for ``after`` seconds, it is shut down.
    """

    def __init__(self, kernel_manager: Any, after: float, clock: Any = time.monotonic) -> None:
        self.kernel_manager = kernel_manager
        self.after = after
        self.clock = clock
        self.handed_out: dict[str, float] = {}
        self.released = 0

    def watch(self, kernel_id: str) -> None:
        self.handed_out[kernel_id] = self.clock()

    async def sweep(self) -> list[str]:
        """One pass: returns the kernels shut down.

        Due kernels are shut down all at once: one after another, each waiting for its kernel to exit
        (seconds on a busy laptop), thirty closed tabs took longer than two minutes.
        """
        now, due = self.clock(), []
        manager = self.kernel_manager
        for kernel_id, since in list(self.handed_out.items()):
            if kernel_id not in manager:
                self.handed_out.pop(kernel_id, None)
                continue
            model = manager.kernel_model(kernel_id)
            if model["connections"] or model["execution_state"] in ("busy", "starting"):
                self.handed_out[kernel_id] = now
                continue
            if now - since >= self.after:
                self.handed_out.pop(kernel_id, None)
                DEVICES.pop(kernel_id, None)
                due.append(kernel_id)
        outcomes = await asyncio.gather(*(ensure_async(manager.shutdown_kernel(k)) for k in due), return_exceptions=True)
        gone = [k for k, outcome in zip(due, outcomes, strict=True) if not isinstance(outcome, Exception)]  # else already gone
        self.released += len(gone)
        if gone:
            manager.log.info("released %d kernel(s) no page was connected to", len(gone))
        return gone

    def hook(self) -> None:
        """Watch every kernel handed to a page: wraps the two ways Voila hands one out."""
        manager = self.kernel_manager
        start_kernel = manager.start_kernel

        async def start_for_page(*args: Any, **kwargs: Any) -> str:
            kernel_id = await ensure_async(start_kernel(*args, **kwargs))
            if (kwargs.get("env") or {}).get("VOILA_PREHEAT") != "True":
                self.watch(kernel_id)  # started for a page right now (not for the pool)
            return str(kernel_id)

        manager.start_kernel = start_for_page
        take = getattr(manager, "get_rendered_notebook", None)
        if take is not None:

            async def take_from_pool(*args: Any, **kwargs: Any) -> Any:
                result = await take(*args, **kwargs)
                self.watch(result[2])  # (render task, rendered cells, kernel id)
                return result

            manager.get_rendered_notebook = take_from_pool


class RoomIdentityProvider(PasswordIdentityProvider):
    """The join code, with a limit on wrong ones per device and a strict cookie."""

    @default("cookie_options")
    def _strict_cookie(self) -> dict[str, Any]:
        # HttpOnly is Jupyter's default; Secure is set when the request came over TLS.
        return {"samesite": "Strict", "httponly": True}

    async def get_user_token(self, handler: web.RequestHandler) -> User | None:
        token = self.token
        given = self.get_token(handler)
        if not token or not given:
            return None
        device = handler.request.remote_ip or "?"
        try:
            right = JOIN_CODES.check(device, given, token)
        except CodePaused as paused:
            raise _too_many(handler, paused) from None
        if not right:
            return None
        user = self.get_user_cookie(handler)
        if inspect.isawaitable(user):
            user = await user
        return user or self.generate_anonymous_user(handler)

    def process_login_form(self, handler: web.RequestHandler) -> User | None:
        typed = handler.get_argument("password", default="")
        if not self.token:
            return super().process_login_form(handler)
        device = handler.request.remote_ip or "?"
        try:
            right = JOIN_CODES.check(device, typed, self.token)
        except CodePaused as paused:
            raise _too_many(handler, paused) from None
        return self.generate_anonymous_user(handler) if right else None


def _too_many(handler: web.RequestHandler, paused: CodePaused) -> web.Finish:
    """End the request with 429 and a page that says, in plain words, how long to wait."""
    handler.set_status(429)
    handler.set_header("Retry-After", str(max(1, round(paused.seconds))))
    handler.set_header("Content-Type", "text/html; charset=utf-8")
    return web.Finish(PAUSED_PAGE.format(message=html.escape(str(paused))))


PAUSED_PAGE = """<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>Wait a moment</title></head>
<body style="font: 20px/1.5 system-ui, sans-serif; margin: 2em;"><h1>Wait a moment</h1><p>{message}</p></body></html>
"""


class DeviceWebsocketHandler(VoilaKernelWebsocketHandler):
    """Voila's kernel connection, noting which device each page's kernel serves (for the code limit)."""

    async def pre_get(self) -> None:
        await super().pre_get()
        DEVICES[self.kernel_id] = self.request.remote_ip or "?"


class FacilitatorCodeHandler(web.RequestHandler):
    """``POST /dpup/facilitator-code``: a page's kernel asks whether a typed facilitator code is right.

    Only kernels hold the secret this needs (it is in their environment, never in a page). The answer
    counts against the device the kernel's page is on; 429 while that device is paused.
    """

    def check_xsrf_cookie(self) -> None:  # a kernel, not a browser: the secret header is the check
        return

    def post(self) -> None:
        secret = os.environ.get(CODE_SECRET_ENV, "")
        given = self.request.headers.get("X-Dpup-Kernel-Secret", "")
        if not secret or not hmac.compare_digest(secret.encode(), given.encode()):
            raise web.HTTPError(403)
        try:
            body = json.loads(self.request.body or b"{}")
            kernel, code = str(body["kernel"]), str(body["code"])
        except (ValueError, KeyError):
            raise web.HTTPError(400) from None
        expected = os.environ.get(FACILITATOR_ENV, "")
        device = DEVICES.get(kernel, f"page {kernel}")
        left = FACILITATOR_CODES.paused_for(device)
        if left:
            self.set_status(429)
            self.finish({"seconds": left})
            return
        right = bool(expected) and FACILITATOR_CODES.check(device, code, expected)
        self.finish({"right": right})


class RoomVoila(Voila):
    """Voila for a workshop room (see the module's docstring)."""

    name = "dpup-workshop-voila"
    release_after = Float(90.0, config=True, help="Shut a page's kernel down this many seconds after its "
                          "last browser left (0: never).")  # fmt: skip
    release_every = Float(10.0, config=True, help="How often to look for kernels to release (seconds).")
    certfile = Unicode("", config=True, help="TLS certificate (PEM); with keyfile, serve HTTPS only.")
    keyfile = Unicode("", config=True, help="TLS private key (PEM).")
    wrong_codes = Int(10, config=True, help="Wrong codes allowed per device within code_window seconds.")
    code_window = Float(60.0, config=True, help="The window for wrong codes (seconds).")
    code_pause = Float(60.0, config=True, help="How long a device is refused after too many wrong codes.")
    join_pool = Int(0, config=True, help="Pages of the join page (server.JOIN_PAGE) built in advance; the "
                    "other pages with a pool keep Voila's pool_size. 0: Voila's pool_size for all.")
    refills_at_once = Int(1, config=True, help="How many pool pages are built at the same time after people "
                          "took some (0: no limit). One leaves the other core to the people who just joined.")
    refill_when_quiet = Float(5.0, config=True, help="Rebuild taken pool pages once no page has been taken for "
                              "this many seconds (sooner if none is left ready): people joining together "
                              "get the laptop first.")  # fmt: skip
    fork_kernels = Bool(True, config=True, help="Fork page kernels from one warm process (kernel_forks.py): "
                        "a page starts in a fraction of a second and shares memory with the others.")  # fmt: skip

    @default("identity_provider_class")
    def _room_identity(self) -> type:
        return RoomIdentityProvider

    def init_settings(self) -> dict[str, Any]:
        if self.fork_kernels and sys.platform.startswith("linux"):
            import atexit

            from dpup_eval.workshop.kernel_forks import use_fork_server

            atexit.register(use_fork_server().stop)  # starts importing now, while Voila starts
        if self.join_pool:
            from dpup_eval.workshop.server import JOIN_PAGE

            self.config.VoilaKernelManager.kernel_pools_config = {
                "default": {"pool_size": self.voila_configuration.default_pool_size},
                JOIN_PAGE: {"pool_size": self.join_pool},
            }
        settings = super().init_settings()
        if hasattr(self.kernel_manager, "_initialize"):  # a pool (--preheat_kernel)
            # The first fill has started already (in the kernel manager's constructor); this paces refills.
            Refills(self.kernel_manager, self.refills_at_once, self.refill_when_quiet).hook()
        for limiter in (JOIN_CODES, FACILITATOR_CODES):
            limiter.allowed, limiter.window, limiter.pause = self.wrong_codes, self.code_window, self.code_pause
        self.release = KernelRelease(self.kernel_manager, self.release_after)
        self.release.hook()
        CompiledTemplates().hook()
        StaticFromMemory.hook()
        # A page is about 10 MB of JavaScript and CSS (4.8 MB of it plotly.js), sent uncompressed: ten phones
        # joining pulled 100 MB through the room's Wi-Fi. Compressed, 2.8 MB (browsers keep them).
        return {**settings, "transforms": [QuickGZip]}

    def init_handlers(self) -> list[Any]:
        handlers = [
            (route, DeviceWebsocketHandler if handler is VoilaKernelWebsocketHandler else handler, *rest)
            for route, handler, *rest in super().init_handlers()
        ]
        base = self.server_url.rstrip("/")
        scripts = page_scripts(self.static_paths, self.labextensions_path)
        if scripts.missing:  # another Voila or ipywidgets version: those pieces come one by one, as before
            self.log.info("Page scripts: %d listed pieces not installed", len(scripts.missing))
        return [(f"{base}/{FACILITATOR_PATH}", FacilitatorCodeHandler),
                (f"{base}/{PAGE_SCRIPTS_ROUTE}", PageScriptsHandler, {"scripts": scripts}), *handlers]  # fmt: skip

    def listen(self) -> None:
        if self.certfile:
            context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
            context.load_cert_chain(self.certfile, self.keyfile or None)
            self.app.listen = functools.partial(self.app.listen, ssl_options=context)
        if self.release_after > 0:
            PeriodicCallback(self.release.sweep, self.release_every * 1000).start()
        super().listen()


def main(argv: list[str] | None = None) -> None:
    """Run the room's Voila; with ``DPUP_WORKSHOP_PARENT_PID`` set, stop when that process has gone."""
    parent = os.environ.get(PARENT_ENV)
    if parent:
        die_with_parent(int(parent), signal.SIGTERM)
    RoomVoila.launch_instance(sys.argv[1:] if argv is None else argv)


if __name__ == "__main__":
    main()
