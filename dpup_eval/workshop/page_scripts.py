"""The scripts a workshop page needs, sent as one file.

Voila's front end reaches a browser in about 90 pieces (webpack chunks): voila.js asks for 56 at once,
runs them, then asks for the four page extensions, then their pieces, then 16 more once the page's kernel
is known, then the widgets' own. Each round waits for the one before: on the laptop, a participant page
took 2.5-2.9 s to become usable and a fifth of it was the browser waiting for pieces (see
``benchmarks/bench_workshop.py``). Here the pieces the participant page is known to need
(``page_chunks.json``) are joined into one script that the page loads just before ``voila.js``. Webpack
finds them already there and asks only for what is missing: the page was usable in 2.0 s (median of
five) instead of 2.5 s, and ten people joining send the laptop about 85 fewer requests each.

The list only makes pages faster, never breaks them: a piece missing from it (another Voila or ipywidgets
version) is fetched as before; a listed file that is not installed is left out. ``tests/test_page_scripts.py``
fails when a listed piece is not installed, and the browser test in ``tests/test_workshop_views_browser.py``
when the participant page fetches a piece one by one (it names the pieces to add).

plotly.js (4.8 MB) is not in the list: Voila parsed it before starting any page (0.4-0.5 s of each page, charts
or not). Its extension is left out of the pages (``server.PLOTLY_EXTENSION``) and
``voila_template/voila/labextensions/dpup-plotly-lazy`` draws plotly's charts, loading plotly's own
extension the first time a chart is drawn.

Two waits in the widget manager (ipywidgets 8's ``@jupyter-widgets/base``, in the joined file) are made
longer (:data:`PATCHES`). A widget on the page waits at most 2 s for its model, counted from when the page
asks the kernel for every widget's state: ten people joining at once made that answer take 3-4 s, and
one page in three showed nothing ("widget model not found") once the pieces were no longer fetched one by
one. The manager also gives the kernel's answer 4 s before asking model by model. Both now wait up to a
minute; a page's kernel always answers (ipywidgets 8), only later on a busy laptop or a slow phone.

The file holds only the installed packages' own code (no programme data, nothing about anyone), so like
Voila's own static files it is served without the join code.
"""

from __future__ import annotations

import gzip
import hashlib
import json
import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from tornado import web

__all__ = ["CHUNKS_FILE", "PATCHES", "ROUTE", "PageScripts", "PageScriptsHandler", "chunk_names", "page_scripts"]

#: The pieces to join: ``voila_static`` (names in Voila's static folders, ``/voila/static/``) and
#: ``labextensions`` (paths under the labextension folders, ``/voila/labextensions/``).
CHUNKS_FILE = Path(__file__).with_name("page_chunks.json")
#: Where the joined script is served, under the server's base URL (a ``/static/`` path, like the pieces).
ROUTE = "voila/dpup/static/page-scripts.js"
#: (what, pattern, replacement) applied to the joined pieces: the widget manager's waits, 2 s and 4 s, made
#: a minute (see above). A pattern that no longer matches (another ipywidgets) leaves the code as it is.
PATCHES: tuple[tuple[str, re.Pattern[bytes], bytes], ...] = (
    ("a widget's wait for its model",
     re.compile(rb"(for\(;Date\.now\(\)-\w+<)2e3(;\)\{if\(void 0!==\(\w+=this\._models\[\w+\]\)\)return)"),
     rb"\g<1>6e4\g<2>"),
    ("the wait for every widget's state",
     re.compile(rb'(setTimeout\(\(\)=>\w+\("Control comm did not respond in time"\),)4e3(\))'),
     rb"\g<1>6e4\g<2>"),
)  # fmt: skip


@dataclass(frozen=True)
class PageScripts:
    """The joined script, compressed once, and what went into it."""

    body: bytes
    compressed: bytes
    etag: str
    included: tuple[str, ...]
    missing: tuple[str, ...]
    patched: tuple[str, ...] = ()


def chunk_names(chunks_file: Path = CHUNKS_FILE) -> tuple[list[str], list[str]]:
    """The listed pieces: Voila static names and labextension paths."""
    listed = json.loads(chunks_file.read_text(encoding="utf-8"))
    return list(listed.get("voila_static", [])), list(listed.get("labextensions", []))


def _first(folders: Iterable[str | Path], name: str) -> Path | None:
    """``name`` in the first folder that has it (as Voila's static handlers look), or None."""
    for folder in folders:
        candidate = Path(folder) / name
        if candidate.is_file():
            return candidate
    return None


def page_scripts(static_paths: Iterable[str | Path], labextension_paths: Iterable[str | Path],
                 chunks_file: Path = CHUNKS_FILE) -> PageScripts:  # fmt: skip
    """Join the listed pieces found in Voila's folders (in the listed order) into one script."""
    static_paths, labextension_paths = list(static_paths), list(labextension_paths)
    voila_names, labextension_names = chunk_names(chunks_file)
    wanted = [(name, _first(static_paths, name)) for name in voila_names]
    wanted += [(name, _first(labextension_paths, name)) for name in labextension_names]
    found = [(name, path) for name, path in wanted if path is not None]
    # Each piece is one statement (it registers its modules); a piece may end in a line comment.
    body = b"\n;\n".join(path.read_bytes() for _, path in found) + b"\n"
    patched = []
    for what, pattern, replacement in PATCHES:
        body, count = pattern.subn(replacement, body)
        if count:
            patched.append(what)
    return PageScripts(
        body=body,
        compressed=gzip.compress(body, compresslevel=6, mtime=0),
        etag='"' + hashlib.sha256(body).hexdigest()[:32] + '"',
        included=tuple(name for name, _ in found),
        missing=tuple(name for name, path in wanted if path is None),
        patched=tuple(patched),
    )


class PageScriptsHandler(web.RequestHandler):
    """Sends the joined script: compressed when the browser accepts it, 304 when it has it already."""

    def initialize(self, scripts: PageScripts) -> None:
        self.scripts = scripts

    def set_default_headers(self) -> None:
        self.set_header("Content-Type", "application/javascript; charset=UTF-8")
        self.set_header("Cache-Control", "no-cache")  # kept, but checked (its ETag) each time: a cheap 304
        self.set_header("Vary", "Accept-Encoding")

    def _answer(self, include_body: bool) -> None:
        self._transforms = []  # compressed already, once, at start
        self.set_header("ETag", self.scripts.etag)
        asked = self.request.headers.get("If-None-Match", "")
        if self.scripts.etag in {tag.strip() for tag in asked.split(",")}:
            self.set_status(304)
            self.finish()
            return
        zipped = "gzip" in self.request.headers.get("Accept-Encoding", "")
        body = self.scripts.compressed if zipped else self.scripts.body
        if zipped:
            self.set_header("Content-Encoding", "gzip")
        self.set_header("Content-Length", str(len(body)))
        self.finish(body if include_body else None)

    def get(self) -> None:
        self._answer(include_body=True)

    def head(self) -> None:
        self._answer(include_body=False)
