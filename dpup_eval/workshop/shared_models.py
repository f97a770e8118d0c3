"""Widgets share one layout and one style model until one of them changes its own.

Every ipywidgets control comes with a ``Layout`` and most with a ``Style``: two more models each, created in
the page's kernel, sent to the browser when it joins and built there. On the Success measures page they are
286 of its 440 models, and nearly all hold only their defaults (or the same ``description_width``). Each
join pays for them three times: the kernel serialises every state, Voila passes them on, and the browser
builds a model for each.

:func:`share_models` changes how a widget gets the layout and style it did not bring itself (the default,
or a dict such as ``style={"description_width": "initial"}``): it gets its own Python object, as before,
but the browser is sent one model for all such objects of the same kind and content. The first time code
changes that object (``widget.layout.display = "none"``), it becomes a model of its own and the widget is
told to use it, so a change always reaches exactly the widget it was made on. A layout or style passed as
an object (``layout=w.Layout(...)``) is left as it is: code that shares one on purpose keeps doing so.

Safe to call more than once; it changes the ``layout`` and ``style`` traits of ipywidgets' own classes, so
every widget made afterwards in this process is affected (the workshop's kernels and its tests).
"""

from __future__ import annotations

import json
import os
import weakref
from typing import Any

import ipywidgets as w
from ipywidgets.widgets.trait_types import InstanceDict
from ipywidgets.widgets.widget import _widget_to_json

__all__ = ["SharedUntilChanged", "share_models"]

#: One real model per kind and content: (class, state as JSON) -> the model every unchanged object points to.
_MODELS: dict[tuple[type, str], w.Widget] = {}
_PATCHED: set[int] = set()


class SharedUntilChanged:
    """Mixed into a Layout or Style class: no model of its own until it is changed after it was made."""

    _shared: bool
    _owners: weakref.WeakSet[w.Widget]
    _trait_name = ""

    def __init__(self, **kwargs: Any) -> None:
        self._shared = True
        self._owners = weakref.WeakSet()  # usually one; more if code hands this object to other widgets
        self._model: w.Widget | None = None
        self._built = False
        super().__init__(**kwargs)  # ipywidgets opens a comm here: open() below waits
        self._built = True

    def open(self) -> None:
        if not self._shared:
            super().open()  # type: ignore[misc]

    def notify_change(self, change: Any) -> None:
        super().notify_change(change)  # type: ignore[misc]
        if self._shared and self._built and change["name"] in self.keys:  # type: ignore[attr-defined]
            self._shared = False
            self.open()  # its own model, with its current state
            for owner in list(self._owners):
                if owner.comm is not None and getattr(owner, self._trait_name, None) is self:
                    owner.send_state(self._trait_name)  # the widget now points at it

    def model_ref(self, owner: w.Widget) -> str:
        """How ``owner``'s state names this object: the shared model's id while it is unchanged (worked out
        once: a change makes it a model of its own)."""
        self._owners.add(owner)
        model = self._model
        if model is None or model.comm is None:
            state = self.get_state()  # type: ignore[attr-defined]
            key = (type(self), json.dumps(state, sort_keys=True, default=str))
            model = _MODELS.get(key)
            if model is None or model.comm is None:
                real = type(self).__mro__[2]  # the ipywidgets class this one was made from
                model = _MODELS[key] = real(**{k: v for k, v in state.items() if not k.startswith("_")})
            self._model = model
        return f"IPY_MODEL_{model.model_id}"


def _to_json(value: Any, owner: w.Widget) -> Any:
    if isinstance(value, SharedUntilChanged) and value._shared:
        return value.model_ref(owner)
    return _widget_to_json(value, owner)


def _lazy_class(klass: type, trait_name: str) -> type:
    return type(f"Shared{klass.__name__}", (SharedUntilChanged, klass), {"_trait_name": trait_name})


def _patch(trait: InstanceDict, name: str) -> None:
    if id(trait) in _PATCHED:
        return
    lazy = _lazy_class(trait.klass, name)
    original = trait.validate

    def validate(obj: Any, value: Any) -> Any:
        return original(obj, lazy(**value) if isinstance(value, dict) else value)

    trait.make_dynamic_default = lambda: lazy(**(trait.default_kwargs or {}))
    trait.validate = validate
    trait.metadata["to_json"] = _to_json
    _PATCHED.add(id(trait))


def _subclasses(cls: type[w.DOMWidget]) -> list[type[w.DOMWidget]]:
    found, todo = [], [cls]
    while todo:
        c = todo.pop()
        found.append(c)
        todo.extend(c.__subclasses__())
    return found


def share_models() -> None:
    """Make every widget class's default layout and style shared until changed (see the module text)."""
    for cls in _subclasses(w.DOMWidget):
        for name in ("layout", "style"):
            trait = cls.class_traits().get(name)
            if isinstance(trait, InstanceDict) and issubclass(trait.klass, (w.Layout, w.Style)):
                _patch(trait, name)


os.register_at_fork(after_in_child=_MODELS.clear)  # a forked kernel makes its own: the parent's are not its page's
