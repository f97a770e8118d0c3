"""Building blocks shared by the workshop pages: the page style, safe text, messages and the poller.

Safe text: anything a participant typed reaches other browsers only as text. :func:`text_html` escapes
every piece of text it is given (``html.escape``) before it goes into an ``HTML`` widget, and plain
``Label``/``Text``/``Textarea`` widgets render text, never markup.

The style (:data:`PAGE_CSS`) is a ``<style>`` element in an ``HTML`` widget shipped with the page: no
external assets. It makes text 18px or larger, every control at least 44px tall, labels sit above
their controls (readable on a phone), focus is clearly visible, and colours meet WCAG AA contrast.
"""

from __future__ import annotations

import asyncio
import contextlib
import html
import json
import logging
import os
import re
import urllib.request
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import Any

import ipywidgets as w

from dpup_eval.workshop import VIEWS, WorkshopError, WorkshopStore
from dpup_eval.workshop.shared_models import share_models

__all__ = [
    "PAGE_CSS",
    "VIEW_WORDS",
    "Message",
    "PageWatch",
    "Poller",
    "button",
    "page_style",
    "section",
    "set_options",
    "text_html",
]

log = logging.getLogger(__name__)

VIEW_WORDS = {"support": "I support this", "not_sure": "I'm not sure", "concern": "I have a concern"}
VIEW_SHORT = {"support": "Support", "not_sure": "Not sure", "concern": "Concern"}
assert tuple(VIEW_WORDS) == VIEWS
share_models()  # a widget's default layout and style are one model for all until changed

PAGE_CSS = """
.dpup-page { --jp-widgets-font-size: 18px; --jp-widgets-inline-height: 44px;
  --jp-widgets-inline-label-width: 100%; font-size: 18px; line-height: 1.5; color: #1a1a1a;
  max-width: 1100px; margin: 0 auto; padding: 8px; box-sizing: border-box; width: 100%; }
.dpup-page * { box-sizing: border-box; }
.dpup-page h1 { font-size: 1.8em; margin: 0.3em 0; } .dpup-page h2 { font-size: 1.4em; margin: 0.6em 0 0.3em; }
.dpup-page h3 { font-size: 1.15em; margin: 0.4em 0 0.2em; }
.dpup-page p { margin: 0.3em 0; }
.dpup-page .widget-inline-hbox { flex-wrap: wrap; height: auto; }
.dpup-page .widget-inline-hbox > .widget-label { width: 100% !important; max-width: 100%; text-align: left;
  white-space: normal; height: auto; line-height: 1.4; padding: 4px 0; font-weight: 600; }
.dpup-page .widget-label, .dpup-page .widget-label-basic, .dpup-page .widget-html-content {
  font-size: 18px; white-space: normal; height: auto; line-height: 1.5; overflow-wrap: anywhere; }
.dpup-page input, .dpup-page textarea, .dpup-page select { font-size: 18px !important; min-height: 44px;
  color: #1a1a1a; border: 2px solid #555 !important; border-radius: 6px; }
.dpup-page .widget-text, .dpup-page .widget-textarea, .dpup-page .widget-dropdown { width: 100%; max-width: 40em; }
.dpup-page .widget-dropdown > select { height: 44px; flex: 1 1 auto; }
.dpup-page textarea { min-height: 88px; }
.dpup-page .widget-button, .dpup-page .widget-toggle-button { font-size: 18px; min-height: 44px; height: auto;
  min-width: 44px; padding: 8px 16px; border-radius: 8px; border: 2px solid #0b3d6b; color: #0b3d6b;
  background: #ffffff; width: auto; white-space: normal; }
.dpup-page .widget-button.mod-primary, .dpup-page .dpup-primary { background: #0b3d6b; color: #ffffff; }
.dpup-page .widget-toggle-button.mod-active { background: #0b3d6b; color: #ffffff; }
.dpup-page .widget-toggle-button.mod-active::before { content: "✓ "; }
.dpup-page .widget-toggle-buttons { flex-wrap: wrap; gap: 6px; height: auto; }
.dpup-page .widget-toggle-buttons .widget-toggle-button { margin: 2px 6px 2px 0; }
.dpup-page .widget-button:disabled { opacity: 1; color: #444; border-color: #777; background: #eee; }
.dpup-page button:focus-visible, .dpup-page input:focus-visible, .dpup-page select:focus-visible,
.dpup-page textarea:focus-visible, .dpup-page input:focus, .dpup-page select:focus, .dpup-page textarea:focus,
.dpup-page a:focus-visible, .dpup-page .noUi-handle:focus, .dpup-page [tabindex]:focus-visible,
.dpup-page :focus-visible {
  outline: 4px solid #b35900 !important; outline-offset: 2px !important;
  box-shadow: 0 0 0 3px #ffffff, 0 0 0 7px #b35900 !important; }
.dpup-page .widget-inline-hbox, .dpup-page .widget-box, .dpup-page .widget-html, .dpup-page .widget-label,
.dpup-page .widget-radio-box, .dpup-page .widget-toggle-buttons, .dpup-page .jp-OutputArea { max-width: 100%; min-width: 0; }
.dpup-page .widget-text, .dpup-page .widget-textarea, .dpup-page .widget-dropdown, .dpup-page .widget-hslider,
.dpup-page .widget-password { width: 100% !important; }
.dpup-page .widget-html-content, .dpup-page .widget-html-content * { max-width: 100%; overflow-wrap: anywhere; }
.dpup-page .js-plotly-plot, .dpup-page .plot-container { max-width: 100%; }
.dpup-projector { max-width: none; font-size: 24px; }
.dpup-projector .widget-html-content { font-size: 24px; }
.dpup-projector h2 { border-top: 4px solid #0b3d6b; padding-top: 0.3em; }
.dpup-page .widget-radio-box label, .dpup-page .widget-checkbox label { font-size: 18px; min-height: 44px;
  display: flex; align-items: center; gap: 10px; white-space: normal; }
.dpup-page .widget-radio-box label { flex-direction: row-reverse; justify-content: flex-end; }
.dpup-page .widget-radio { width: 100%; height: auto; flex-wrap: wrap; }
.dpup-page .widget-radio > .widget-label { width: 100% !important; font-weight: 600; white-space: normal; }
.dpup-page .widget-text input, .dpup-page .widget-textarea textarea { width: 100%; min-width: 0; }
.dpup-page input[type=radio], .dpup-page input[type=checkbox] { width: 26px; height: 26px; min-height: 26px; }
.dpup-page .widget-checkbox { width: 100%; height: auto; }
.dpup-page .widget-slider .noUi-handle { width: 32px !important; height: 32px !important; }
.dpup-page .widget-hslider { width: 100%; max-width: 40em; height: auto; }
.dpup-page .widget-readout { font-size: 18px; min-width: 4em; }
.dpup-card { border: 2px solid #6b6b6b; border-radius: 10px; padding: 12px; margin: 8px 0; background: #fff;
  width: 100%; }
.dpup-card.dpup-current { border: 4px solid #0b3d6b; }
.dpup-now p { font-weight: 700; font-size: 20px; background: #fff7d6; border-left: 6px solid #8a5a00;
  padding: 8px 12px; }
.dpup-section { border-top: 4px solid #0b3d6b; margin-top: 18px; padding-top: 6px; width: 100%; }
.dpup-message { font-weight: 600; }
.dpup-message-error { color: #8a1c00; } .dpup-message-ok { color: #0d5c2e; }
.dpup-result { background: #f1f5f9; border-left: 6px solid #0b3d6b; padding: 8px 12px; margin: 6px 0; }
.dpup-muted { color: #444; }
.dpup-nav a { font-size: 18px; display: inline-block; min-height: 44px; padding: 8px 12px; color: #0b3d6b;
  text-decoration: underline; }
@media (max-width: 600px) { .dpup-page { padding: 4px; } .dpup-page h1 { font-size: 1.5em; } }
"""


def page_style() -> w.HTML:
    """The page's style as one ``<style>`` element (nothing fetched)."""
    return w.HTML(f"<style>{PAGE_CSS}</style>")


def text_html(*parts: tuple[str, str] | str, cls: str = "") -> str:
    """HTML from (tag, text) pairs or plain strings, every text escaped: safe for participants' words."""
    out = []
    for part in parts:
        if isinstance(part, tuple):
            tag, text = part
            out.append(f"<{tag}>{html.escape(text)}</{tag}>")
        else:
            out.append(html.escape(part))
    body = "".join(out)
    return f'<div class="{html.escape(cls)}">{body}</div>' if cls else body


def button(description: str, *, primary: bool = False, tooltip: str | None = None) -> w.Button:
    b = w.Button(
        description=description, tooltip=tooltip or description, button_style="primary" if primary else ""
    )
    b.layout = w.Layout(width="auto", height="auto")
    return b


def section(title: str, *children: w.Widget, intro: str = "") -> w.VBox:
    head = w.HTML(text_html(("h2", title), *([("p", intro)] if intro else [])))
    box = w.VBox([head, *children])
    box.add_class("dpup-section")
    return box


def full_width(widget: w.Widget) -> w.Widget:
    widget.layout.width = "100%"
    return widget


class Message(w.HTML):
    """A one-line status under a form: what happened, or what to change (as text, with a word cue)."""

    def ok(self, text: str) -> None:
        self.value = text_html(("p", f"Done: {text}"), cls="dpup-message dpup-message-ok")

    def error(self, text: str) -> None:
        self.value = text_html(("p", f"Please check: {text}"), cls="dpup-message dpup-message-error")

    def clear(self) -> None:
        self.value = ""

    def attempt(self, action: Callable[[], str]) -> bool:
        """Run ``action``; show its result as done, or a WorkshopError/ValueError's message to fix."""
        try:
            self.ok(action())
        except (WorkshopError, ValueError, KeyError) as error:
            self.error(str(error).strip("'\""))
            return False
        return True


class Poller:
    """Redraw when the workshop record changes: ask its revision every ``interval`` seconds.

    Every page is its own kernel, with no push between kernels; one indexed read every two seconds is
    cheap, and the listeners run only when something was written. :meth:`check` is what the timer
    calls (tests call it directly). When ``alive`` says the page has been closed, polling stops so
    the kernel falls idle and the server's culler shuts it down.
    """

    def __init__(
        self, store: WorkshopStore, workshop_id: int, *, interval: float = 2.0,
        alive: Callable[[], bool] | None = None, alive_every: int = 15,
    ) -> None:  # fmt: skip
        self.store = store
        self.workshop_id = workshop_id
        self.interval = interval
        self.alive = alive
        self.alive_every = alive_every
        self.marker = store.revision(workshop_id)
        self.listeners: list[Callable[[], None]] = []
        self._task: asyncio.Task[None] | None = None
        self._ticks = 0
        self._pulse: w.HTML | None = None

    def on_change(self, listener: Callable[[], None]) -> None:
        self.listeners.append(listener)

    def notify(self) -> None:
        """Run every listener now (after this page wrote something itself)."""
        self.marker = self.store.revision(self.workshop_id)
        for listener in self.listeners:
            try:
                listener()
            except Exception:  # one broken listener must not stop the others or the polling
                log.exception("workshop page listener failed")

    def check(self) -> bool:
        """Redraw if anything changed since the last look; True when it did."""
        if not self.store.changed_since(self.workshop_id, self.marker):
            return False
        self.notify()
        return True

    async def _run(self) -> None:
        while True:
            await asyncio.sleep(self.interval)
            self._ticks += 1
            if self.alive is not None and self._ticks % self.alive_every == 0:
                if not self.alive():
                    log.info("page closed: polling stops")
                    return
                if getattr(self.alive, "waiting", False):
                    self.beat()
            try:
                self.check()
            except Exception:
                log.exception("workshop poll failed")

    def beat(self) -> None:
        """Show the server this kernel is alive while it waits in Voila's pool for its browser.

        The server counts any message from a kernel as activity; without one, a kernel that waited longer
        than the cull timeout could be culled in the moment between being handed to a browser and the
        browser connecting.
        """
        if self._pulse is None:
            self._pulse = w.HTML(layout=w.Layout(display="none"))
        self._pulse.value = str(self._ticks)

    def start(self) -> None:
        """Poll in the kernel's event loop (Voila kernels keep theirs running between messages)."""
        if self._task is None or self._task.done():
            self._task = asyncio.ensure_future(self._run())

    def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            self._task = None


class PageWatch:
    """Whether this kernel's page is still open: asks the workshop server how many browsers are connected.

    A closed tab does not shut its kernel down in Voila 0.5; a kernel that keeps redrawing is never
    idle, so the culler would never reclaim it. When the server reports no connection twice in a
    row, :class:`Poller` stops and the culler does its job. Any doubt (no server address, an error)
    counts as open.
    """

    def __init__(self, server_url: str | None, token: str | None, kernel_id: str | None) -> None:
        self.server_url = server_url
        self.token = token
        self.kernel_id = kernel_id
        self._misses = 0
        self._seen = False

    @classmethod
    def from_environment(cls, environ: dict[str, str] | None = None) -> PageWatch:
        from dpup_eval.workshop.session import ENV

        env = os.environ if environ is None else environ
        return cls(env.get(ENV["server"]), env.get(ENV["token"]) or None, _own_kernel_id())

    def connections(self) -> int | None:
        if not self.server_url or not self.kernel_id:
            return None
        url = f"{self.server_url.rstrip('/')}/api/kernels/{self.kernel_id}"
        request = urllib.request.Request(url)
        if self.token:
            request.add_header("Authorization", f"token {self.token}")
        try:
            with urllib.request.urlopen(request, timeout=3) as response:
                return int(json.load(response).get("connections", 1))
        except Exception:
            return None

    @property
    def waiting(self) -> bool:
        """No browser has connected yet (a kernel waiting in Voila's pool)."""
        return not self._seen

    def __call__(self) -> bool:
        count = self.connections()
        if count:
            self._seen = True
        if not self._seen:  # a kernel waiting in Voila's pool has had no browser yet: it is not closed
            return True
        self._misses = self._misses + 1 if count == 0 else 0
        return self._misses < 2


def _own_kernel_id() -> str | None:
    with contextlib.suppress(Exception):
        from ipykernel.connect import get_connection_file

        match = re.search(r"kernel-([0-9a-f-]+)\.json$", Path(get_connection_file()).name)
        return match.group(1) if match else None
    return None


def set_options(dropdown: w.Dropdown, options: list[tuple[str, Any]]) -> None:
    """Replace a dropdown's options, keeping its value when still offered, else the first option.

    (ipywidgets 8 leaves the value empty when options change; a page should always show a choice.)
    """
    values = [v for _, v in options]
    current = dropdown.value
    dropdown.options = options
    dropdown.value = current if current in values else (values[0] if values else None)


def checkboxes(options: Iterable[tuple[str, object]], *, value: bool = True) -> list[w.Checkbox]:
    """One labelled checkbox per (label, key) option; the key is kept on the widget as ``key``."""
    boxes = []
    for label, key in options:
        box = w.Checkbox(value=value, description=label, indent=False)
        box.key = key
        boxes.append(box)
    return boxes


def keep_ticked(box: w.Box, options: Sequence[tuple[str, object]], *, value: bool) -> None:
    """Give ``box`` one checkbox per (label, key) option: a key it already had keeps its checkbox (the same
    widget, so its tick), a new key gets a new one at ``value``. The room's list of people grows while a
    form is being filled in: a box ticked in the browser just as the list changed is still the box on the
    page, and its tick arrives at a widget that is still in the form."""
    have = {b.key: b for b in box.children}
    children = []
    for label, key in options:
        kept = have.get(key)
        if kept is None:
            (kept,) = checkboxes([(label, key)], value=value)
        elif kept.description != label:
            kept.description = label
        children.append(kept)
    if tuple(children) != tuple(box.children):
        box.children = children


def ticked(boxes: Iterable[w.Checkbox]) -> list[Any]:
    return [b.key for b in boxes if b.value]
