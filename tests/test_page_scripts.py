"""The workshop page's scripts as one file (dpup_eval/workshop/page_scripts.py).

What is joined (the listed pieces, from the first folder that has each, in the listed order), what is
sent (compressed once; 304 when the browser has it) and that the list matches the installed Voila and
ipywidgets. The browser test (test_workshop_views_browser) checks that a participant page then fetches no
piece one by one and loads plotly.js only when a chart is drawn.
"""

from __future__ import annotations

import asyncio
import gzip
import json
import logging
from pathlib import Path

import pytest

from dpup_eval.workshop.page_scripts import PATCHES, ROUTE, PageScriptsHandler, chunk_names, page_scripts


def _pieces(tmp_path: Path) -> tuple[Path, list[Path], list[Path]]:
    """Two Voila static folders and a labextension folder, and a list naming pieces in them."""
    first, second, labext = tmp_path / "template", tmp_path / "base", tmp_path / "labext"
    for folder in (first, second, labext / "@org/ext/static"):
        folder.mkdir(parents=True)
    (first / "2.voila.js").write_text('(self.c=self.c||[]).push([[2],{}]) // from the template')
    (second / "2.voila.js").write_text("not this one: the template's folder comes first")
    (second / "1.voila.js").write_text("(self.c=self.c||[]).push([[1],{}])\n//# sourceMappingURL=1.voila.js.map")
    (labext / "@org/ext/static/7.abc.js").write_text('(self["c-ext"]=self["c-ext"]||[]).push([[7],{}])')
    listed = tmp_path / "chunks.json"
    listed.write_text(json.dumps({"voila_static": ["1.voila.js", "2.voila.js", "3.voila.js"],
                                  "labextensions": ["@org/ext/static/7.abc.js"]}))  # fmt: skip
    return listed, [first, second], [labext]


def test_listed_pieces_are_joined_in_order_from_the_first_folder_that_has_them(tmp_path: Path) -> None:
    listed, static, labext = _pieces(tmp_path)
    scripts = page_scripts(static, labext, listed)
    text = scripts.body.decode()
    assert scripts.included == ("1.voila.js", "2.voila.js", "@org/ext/static/7.abc.js")
    assert scripts.missing == ("3.voila.js",)  # another version's piece: the browser fetches it as before
    assert "from the template" in text and "not this one" not in text
    assert text.index("[[1]") < text.index("[[2]") < text.index("[[7]")
    # a piece ending in a line comment does not swallow the next one
    assert "sourceMappingURL=1.voila.js.map\n;\n(self.c" in text
    assert gzip.decompress(scripts.compressed) == scripts.body
    assert page_scripts(static, labext, listed).etag == scripts.etag
    (static[1] / "1.voila.js").write_text("changed")
    assert page_scripts(static, labext, listed).etag != scripts.etag


def test_the_list_matches_the_installed_voila_and_widgets() -> None:
    """Every listed piece is installed (a Voila or ipywidgets upgrade renames them: record the list again
    with the browser test's message), and plotly.js is not among them."""
    from voila.paths import collect_static_paths
    from voila.utils import get_voila_labextensions_path

    scripts = page_scripts(collect_static_paths(["voila", "nbconvert"], "lab"), get_voila_labextensions_path())
    voila_names, labextension_names = chunk_names()
    assert scripts.missing == (), scripts.missing
    assert len(scripts.included) == len(voila_names) + len(labextension_names) > 50
    assert not any("plotly" in name for name in scripts.included)
    assert b"webpackChunk" in scripts.body
    assert scripts.patched == tuple(what for what, _, _ in PATCHES)  # both waits found and made a minute
    assert b'"widget model not found"' in scripts.body and b"<2e3;" not in scripts.body


def test_the_widget_managers_waits_are_made_a_minute_and_nothing_else_changes(tmp_path: Path) -> None:
    """The two waits as ipywidgets 8.1 writes them (minified); code around them and other numbers stay."""
    listed, static, labext = _pieces(tmp_path)
    manager = ('async get_model(e){let t=this._models[e];if(void 0===t){let o=Date.now();for(;Date.now()-o<2e3;)'
               '{if(void 0!==(t=this._models[e]))return t;await new Promise(e=>setTimeout(e,100))}'
               'throw Error("widget model not found")}return t}'
               'o.send({method:"request_states"},{}),setTimeout(()=>l("Control comm did not respond in time"),4e3)'
               'var other=2e3,later=4e3;')  # fmt: skip
    (static[1] / "1.voila.js").write_text(manager)
    scripts = page_scripts(static, labext, listed)
    text = scripts.body.decode()
    assert scripts.patched == tuple(what for what, _, _ in PATCHES)
    assert "for(;Date.now()-o<6e4;){if(void 0!==(t=this._models[e]))return t;" in text
    assert 'setTimeout(()=>l("Control comm did not respond in time"),6e4)' in text
    assert "var other=2e3,later=4e3;" in text and text.count("6e4") == 2
    (static[1] / "1.voila.js").write_text("var other=2e3;")  # another version: left as it is
    assert page_scripts(static, labext, listed).patched == ()


def test_the_file_is_sent_compressed_once_and_not_again_to_a_browser_that_has_it(tmp_path: Path) -> None:
    from tornado import web
    from tornado.httpclient import AsyncHTTPClient
    from tornado.httpserver import HTTPServer
    from tornado.testing import bind_unused_port

    from dpup_eval.workshop.voila_process import QuickGZip

    listed, static, labext = _pieces(tmp_path)
    scripts = page_scripts(static, labext, listed)

    async def scenario() -> None:
        app = web.Application([(f"/{ROUTE}", PageScriptsHandler, {"scripts": scripts})], transforms=[QuickGZip])
        sock, port = bind_unused_port()
        http = HTTPServer(app)
        http.add_sockets([sock])
        client = AsyncHTTPClient()
        url = f"http://127.0.0.1:{port}/{ROUTE}"
        try:
            zipped = await client.fetch(url, decompress_response=False, headers={"Accept-Encoding": "gzip"})
            assert zipped.headers["Content-Encoding"] == "gzip"
            assert zipped.body == scripts.compressed  # the bytes compressed at start, not again
            assert zipped.headers["Content-Type"].startswith("application/javascript")
            plain = await client.fetch(url, decompress_response=False, headers={"Accept-Encoding": "identity"})
            assert "Content-Encoding" not in plain.headers and plain.body == scripts.body
            again = await client.fetch(url, headers={"If-None-Match": zipped.headers["Etag"]}, raise_error=False)
            assert again.code == 304 and again.body == b""
            stale = await client.fetch(url, headers={"If-None-Match": '"old"'}, decompress_response=True)
            assert stale.code == 200 and stale.body == scripts.body
            head = await client.fetch(url, method="HEAD", headers={"Accept-Encoding": "gzip"})
            assert head.code == 200 and head.body == b""
        finally:
            http.stop()

    asyncio.run(scenario())


def test_the_page_template_loads_the_file_before_voila() -> None:
    from dpup_eval.workshop.server import template_root

    template = (template_root() / "voila/templates/dpup_workshop/index.html.j2").read_text()
    assert f"}}}}{ROUTE}\"></script>" in template
    assert template.index(ROUTE) < template.index("{{ super() }}", template.index("block body_footer"))


def test_pages_load_plotly_through_the_lazy_extension(tmp_path: Path, demo_dir: Path) -> None:
    """The pages' extensions, as Voila lists them for a page (its own get_page_config, with the workshop's
    options and JUPYTER_PATH): dpup-plotly-lazy instead of plotly's own, and the lazy one names plotly's
    renderer's mime type and loads plotly's extension by the entry its package.json names."""
    from traitlets.config import Config
    from voila.configuration import VoilaConfiguration
    from voila.utils import (  # (get_federated_extensions: jupyterlab_server's, as Voila uses it)
        get_federated_extensions,
        get_page_config,
        get_voila_labextensions_path,
    )

    from dpup_eval.agreement.contract import default_contract_dir
    from dpup_eval.workshop.server import PLOTLY_EXTENSION, WorkshopConfig, voila_command, voila_env

    config = WorkshopConfig.resolve(folder=tmp_path / "w", port=8877, data=demo_dir / "evaluation.csv",
                                    programme=default_contract_dir())  # fmt: skip
    denied = [a.split("=", 1)[1] for a in voila_command(config)
              if a.startswith("--VoilaConfiguration.extension_denylist=")]  # fmt: skip
    assert denied == [PLOTLY_EXTENSION]
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("JUPYTER_PATH", voila_env(config, base={})["JUPYTER_PATH"])
        voila = VoilaConfiguration(config=Config({"VoilaConfiguration": {"extension_denylist": denied}}))
        names = [e["name"] for e in get_page_config("/", {}, logging.getLogger("test"), voila)["federated_extensions"]]
        lazy = get_federated_extensions(get_voila_labextensions_path())["dpup-plotly-lazy"]
        plotly = get_federated_extensions(get_voila_labextensions_path())[PLOTLY_EXTENSION]
    assert "dpup-plotly-lazy" in names and PLOTLY_EXTENSION not in names
    assert "@jupyter-widgets/jupyterlab-manager" in names or "@voila-dashboards/widgets-manager8" in names
    entry = (Path(lazy["ext_path"]) / lazy["jupyterlab"]["_build"]["load"]).read_text()
    assert '"application/vnd.plotly.v1+json"' in entry and f'"{PLOTLY_EXTENSION}"' in entry
    assert "_build.load" in entry and "./mimeExtension" in plotly["jupyterlab"]["_build"]["mimeExtension"]
