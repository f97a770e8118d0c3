"""Widgets share one layout and one style model until one of them changes its own (shared_models.py).

What the browser is sent is read off the comm messages the kernel side publishes (a recording comm in place
of the kernel's), not off the Python objects: the shared model must be opened before a widget names it, and
a change must reach only the widget it was made on.
"""

from __future__ import annotations

import collections
from typing import Any

import ipywidgets as w
import ipywidgets.comm as widget_comms  # how ipywidgets makes a widget's comm
import pytest

import dpup_eval.workshop.widgets_base  # noqa: F401  (the pages' building blocks: importing them shares)
from dpup_eval.workshop import shared_models


class Recording(widget_comms.comm.BaseComm):  # the comm package's own base, as the kernel's comms are
    sent: list[tuple[str, str, dict[str, Any]]] = []

    def publish_msg(self, msg_type: str, data: Any = None, metadata: Any = None, buffers: Any = None,
                    **keys: Any) -> None:  # fmt: skip
        Recording.sent.append((self.comm_id, msg_type, data or {}))


@pytest.fixture
def sent(monkeypatch: pytest.MonkeyPatch) -> list[tuple[str, str, dict[str, Any]]]:
    Recording.sent = []
    monkeypatch.setattr(widget_comms, "create_comm", Recording)
    monkeypatch.setattr(shared_models, "_MODELS", {})
    return Recording.sent


def _opened(sent: list[tuple[str, str, dict[str, Any]]]) -> dict[str, dict[str, Any]]:
    """Every model opened so far: id -> its state as first sent."""
    return {cid: data["state"] for cid, kind, data in sent if kind == "comm_open"}


def _ref(value: str) -> str:
    assert value.startswith("IPY_MODEL_")
    return value.removeprefix("IPY_MODEL_")


def test_unchanged_defaults_are_one_model_opened_before_any_widget_names_it(sent: list) -> None:
    buttons = [w.Button(description=f"b{i}") for i in range(3)]
    opened = list(_opened(sent))
    kinds = collections.Counter(_opened(sent)[cid]["_model_name"] for cid in opened)
    assert kinds == {"LayoutModel": 1, "ButtonStyleModel": 1, "ButtonModel": 3}
    layouts = {_ref(b.get_state()["layout"]) for b in buttons}
    styles = {_ref(b.get_state()["style"]) for b in buttons}
    assert len(layouts) == len(styles) == 1
    for b in buttons:  # the shared models were opened before each button that names them
        assert opened.index(_ref(b.get_state()["layout"])) < opened.index(b.model_id)
        assert opened.index(_ref(b.get_state()["style"])) < opened.index(b.model_id)


def test_a_change_reaches_only_the_widget_it_was_made_on(sent: list) -> None:
    a, b, c = (w.HTML(f"<p>{i}</p>") for i in range(3))
    shared = _ref(a.get_state()["layout"])
    before = len(sent)
    b.layout.display = "none"
    new = sent[before:]
    opens = [(cid, data["state"]) for cid, kind, data in new if kind == "comm_open"]
    assert len(opens) == 1 and opens[0][1]["_model_name"] == "LayoutModel" and opens[0][1]["display"] == "none"
    own = opens[0][0]
    updates = [(cid, data["state"]) for cid, kind, data in new if kind == "comm_msg" and data.get("method") == "update"]
    assert updates == [(b.model_id, {"layout": f"IPY_MODEL_{own}"})]  # b, and only b, now points at its own
    assert _ref(a.get_state()["layout"]) == _ref(c.get_state()["layout"]) == shared != own
    assert a.layout.display is None and c.layout.display is None
    # a later change goes to b's own model as an ordinary update, nothing opened again
    before = len(sent)
    b.layout.display = None
    assert [(cid, kind) for cid, kind, _ in sent[before:]] == [(own, "comm_msg")]


def test_a_default_layout_handed_to_another_widget_changes_for_both(sent: list) -> None:
    first = w.Button(description="one")
    second = w.Button(description="two", layout=first.layout)  # ipywidgets' way of sharing a layout
    third = w.Button(description="three")
    before = len(sent)
    first.layout.width = "10em"
    own = next(cid for cid, kind, _ in sent[before:] if kind == "comm_open")
    told = {cid for cid, kind, data in sent[before:] if kind == "comm_msg" and data.get("method") == "update"}
    assert told == {first.model_id, second.model_id}
    assert _ref(first.get_state()["layout"]) == _ref(second.get_state()["layout"]) == own
    assert _ref(third.get_state()["layout"]) != own


def test_a_changed_style_is_its_own_and_the_others_keep_theirs(sent: list) -> None:
    first, second = w.Button(description="one"), w.Button(description="two")
    first.style.button_color = "#004b87"
    assert _ref(first.get_state()["style"]) != _ref(second.get_state()["style"])
    shared_state = _opened(sent)[_ref(second.get_state()["style"])]
    assert shared_state["button_color"] is None


def test_styles_given_as_the_same_dict_share_and_different_dicts_do_not(sent: list) -> None:
    wide = [w.Dropdown(options=["a"], style={"description_width": "initial"}) for _ in range(3)]
    plain = w.Dropdown(options=["a"])
    assert len({_ref(d.get_state()["style"]) for d in wide}) == 1
    assert _ref(plain.get_state()["style"]) != _ref(wide[0].get_state()["style"])
    assert _opened(sent)[_ref(wide[0].get_state()["style"])]["description_width"] == "initial"
    assert wide[1].style.description_width == "initial"  # the Python side reads as before


def test_a_layout_passed_as_an_object_is_left_as_it_is(sent: list) -> None:
    layout = w.Layout(width="12em")
    one, two = w.Button(layout=layout), w.Button(layout=layout)
    assert not isinstance(layout, shared_models.SharedUntilChanged)
    assert one.get_state()["layout"] == two.get_state()["layout"] == f"IPY_MODEL_{layout.model_id}"
    layout.width = "14em"  # shared on purpose: the change is the one model's, as ipywidgets does it
    assert one.layout is two.layout


def test_a_closed_shared_model_is_made_again(sent: list) -> None:
    first = w.Label("a")
    shared = _ref(first.get_state()["layout"])
    next(m for m in shared_models._MODELS.values() if m.model_id == shared).close()
    second = w.Label("b")
    again = _ref(second.get_state()["layout"])
    assert again != shared and again in _opened(sent)
