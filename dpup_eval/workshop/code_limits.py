"""A limit on wrong codes: ten wrong join or facilitator codes a minute from one device, then a pause.

The join code (``XXXX-XXXX``, 31 letters and digits: about 8.5 * 10^11 codes) is strong against guessing
only if guessing is slow: without a limit one laptop on the room's network tried 155 codes a second.
With at most ``allowed`` wrong codes per ``window`` seconds and then ``pause`` seconds in which every code
from that device is refused (the right one too, so a guesser learns nothing), guessing one code would take
tens of thousands of years. A device is its network address: in a workshop room every phone has its own.

The limit is kept in the Voila process (:mod:`dpup_eval.workshop.voila_process`), which sees every request
and every page's connection. A page's kernel checks a typed facilitator code by asking that process
(:func:`check_facilitator_code`), so reloading a page (a new kernel) does not reset the count.
"""

from __future__ import annotations

import contextlib
import hmac
import json
import os
import re
import ssl
import time
import urllib.error
import urllib.request
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from dpup_eval.workshop.kernel_settings import ENV

__all__ = [
    "CODE_SECRET_ENV",
    "CodeCheck",
    "CodePaused",
    "WrongCodeLimiter",
    "check_facilitator_code",
    "own_kernel_id",
    "pause_message",
]

#: Environment variable holding the secret with which page kernels (and only they) ask the Voila process.
CODE_SECRET_ENV = ENV["secret"]
#: The certificate kernels trust when the workshop serves over TLS (see :mod:`dpup_eval.workshop.tls`).
CERT_ENV = ENV["certificate"]
FACILITATOR_PATH = "dpup/facilitator-code"


def pause_message(seconds: float) -> str:
    """What a person who typed too many wrong codes is told (plain words, whole seconds)."""
    wait = max(1, round(seconds))
    return (f"Too many wrong codes from this device. Wait {wait} second{'s' if wait != 1 else ''} "
            "and try again.")  # fmt: skip


class CodePaused(ValueError):
    """Codes from this device are refused for a while (``seconds`` left); a page shows its message as is."""

    def __init__(self, seconds: float) -> None:
        super().__init__(pause_message(seconds))
        self.seconds = seconds


@dataclass
class WrongCodeLimiter:
    """Counts wrong codes per device; after ``allowed`` in ``window`` seconds, refuses it for ``pause`` seconds."""

    allowed: int = 10
    window: float = 60.0
    pause: float = 60.0
    clock: Callable[[], float] = time.monotonic
    max_devices: int = 10_000  # bounded memory whatever a flood of addresses does
    _wrong: dict[str, deque[float]] = field(default_factory=dict, repr=False)
    _paused_until: dict[str, float] = field(default_factory=dict, repr=False)

    def paused_for(self, device: str) -> float:
        """Seconds until ``device`` may try a code again (0: it may now)."""
        left = self._paused_until.get(device, 0.0) - self.clock()
        if left <= 0:
            self._paused_until.pop(device, None)
            return 0.0
        return left

    def wrong(self, device: str) -> float:
        """Note a wrong code from ``device``; returns the pause it now has (0 if none)."""
        now = self.clock()
        if len(self._wrong) >= self.max_devices and device not in self._wrong:
            self._forget_before(now - self.window)
        times = self._wrong.setdefault(device, deque())
        times.append(now)
        while times and times[0] <= now - self.window:
            times.popleft()
        if len(times) >= self.allowed:
            self._paused_until[device] = now + self.pause
            times.clear()
        return self.paused_for(device)

    def check(self, device: str, given: str, expected: str) -> bool:
        """Compare a code in constant time, counting it if wrong; raises :class:`CodePaused` while paused."""
        left = self.paused_for(device)
        if left:
            raise CodePaused(left)
        if hmac.compare_digest(given.strip().upper().encode(), expected.strip().upper().encode()):
            return True
        self.wrong(device)
        return False

    def _forget_before(self, cutoff: float) -> None:
        for device in [d for d, t in self._wrong.items() if not t or t[-1] <= cutoff]:
            del self._wrong[device]
        if len(self._wrong) >= self.max_devices:  # still full: a flood of addresses; forget the oldest half
            for device in sorted(self._wrong, key=lambda d: self._wrong[d][-1])[: self.max_devices // 2]:
                del self._wrong[device]


@dataclass(frozen=True)
class CodeCheck:
    """How a page's kernel asks the Voila process whether a typed facilitator code is right."""

    server_url: str
    secret: str
    kernel_id: str
    certificate: str | None = None

    @classmethod
    def from_environment(cls, kernel_id: str | None, environ: dict[str, str] | None = None) -> CodeCheck | None:

        env = os.environ if environ is None else environ
        server, secret = env.get(ENV["server"]), env.get(CODE_SECRET_ENV)
        if not (server and secret and kernel_id):
            return None
        return cls(server, secret, kernel_id, env.get(CERT_ENV) or None)

    def __call__(self, typed: str) -> bool:
        body = json.dumps({"kernel": self.kernel_id, "code": typed}).encode()
        request = urllib.request.Request(
            f"{self.server_url.rstrip('/')}/{FACILITATOR_PATH}", data=body, method="POST",
            headers={"Content-Type": "application/json", "X-Dpup-Kernel-Secret": self.secret},
        )  # fmt: skip
        context = ssl.create_default_context(cafile=self.certificate) if self.certificate else None
        try:
            with urllib.request.urlopen(request, timeout=10, context=context) as response:
                return bool(json.load(response).get("right"))
        except urllib.error.HTTPError as error:
            if error.code == 429:
                raise CodePaused(float(json.load(error).get("seconds", 60))) from None
            raise


#: Used when the page server cannot be asked: the limit then holds for this kernel only.
_LOCAL = WrongCodeLimiter()


def check_facilitator_code(typed: str, expected: str | None, *, kernel_id: str | None = None,
                           environ: dict[str, str] | None = None) -> bool:  # fmt: skip
    """Whether ``typed`` is the facilitator code, counted against this device's limit of wrong codes.

    In a workshop the Voila process decides (it knows which device this page is on); if it cannot be
    asked, the code is compared here with a limit for this kernel. Outside a workshop it is compared. Raises :class:`CodePaused` (its message is for
    the person) while the device is paused. No ``expected`` code means none is needed (a notebook).
    """
    if not expected:
        return True
    ask = CodeCheck.from_environment(kernel_id or own_kernel_id(), environ)
    if ask is None:  # not in a workshop (a notebook, a test): nobody to guess against
        return hmac.compare_digest(typed.strip().upper().encode(), expected.strip().upper().encode())
    try:
        return ask(typed)
    except CodePaused:
        raise
    except (OSError, ValueError):  # the page server cannot be asked: compare here, with this kernel's limit
        return _LOCAL.check("this page", typed, expected)


def own_kernel_id() -> str | None:
    """This kernel's id (from its connection file's name), or None outside a kernel."""
    with contextlib.suppress(Exception):
        from ipykernel.connect import get_connection_file

        match = re.search(r"kernel-([0-9a-f-]+)\.json$", Path(get_connection_file()).name)
        return match.group(1) if match else None
    return None
