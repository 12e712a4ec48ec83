"""A widget drawn by anywidget's front end, without importing anywidget's Python side.

The browser half of :class:`~h4s_widgets._widget.Quiz` is anywidget's: its JupyterLab, Notebook and
Voilà extension draws any widget model named ``AnyModel`` from the module ``anywidget`` with the ES
module in its ``_esm`` trait and the CSS in ``_css``.  anywidget's Python package only sets those traits,
but importing it costs about a third of what a first quiz costs (psygnal for hot reloading files and
``importlib.metadata`` for its own version), so :class:`AnyModelWidget` sets the same synced traits on a
plain ``ipywidgets.DOMWidget`` and gives the same display data.  anywidget stays a dependency: its front
end is what draws the widget.

What is copied from anywidget's Python side (its internals, not a public API): the model and view names
and module, the module's version range (``~<major>.<minor>.*`` of the installed anywidget), the
``_anywidget_id`` trait, the widget-view MIME data (protocol 2.1) and Colab's display metadata.
pyproject.toml pins anywidget to the minor version these were read from, and
``tests/test_import_lazy.py`` compares a Quiz's synced state and display data with an
``anywidget.AnyWidget``'s, so it fails when anywidget changes one of them.
"""
from __future__ import annotations

import sys
from typing import Any

import ipywidgets
import traitlets

#: anywidget's ``_ANYWIDGET_SEMVER_VERSION`` for the anywidget that pyproject.toml allows (0.11.x)
ANYWIDGET_MODULE_VERSION = "~0.11.*"
_WIDGET_MIME = "application/vnd.jupyter.widget-view+json"
_PROTOCOL = (2, 1)   # the widget-view protocol version anywidget's display data carries


def _colab_output() -> Any:
    """Colab's output module when running in Google Colab (its custom widget manager draws anywidgets)."""
    return sys.modules.get("google.colab.output")


class AnyModelWidget(ipywidgets.DOMWidget):
    """An ipywidgets widget that anywidget's front end draws from ``_esm`` and ``_css``.

    Subclasses give ``_esm`` (and ``_css``) as synced traits with the module as default, e.g.
    ``_esm = traitlets.Unicode(MODULE_JS).tag(sync=True)``.
    """

    _model_name = traitlets.Unicode("AnyModel").tag(sync=True)
    _model_module = traitlets.Unicode("anywidget").tag(sync=True)
    _model_module_version = traitlets.Unicode(ANYWIDGET_MODULE_VERSION).tag(sync=True)
    _view_name = traitlets.Unicode("AnyView").tag(sync=True)
    _view_module = traitlets.Unicode("anywidget").tag(sync=True)
    _view_module_version = traitlets.Unicode(ANYWIDGET_MODULE_VERSION).tag(sync=True)
    _esm = traitlets.Unicode().tag(sync=True)
    _css = traitlets.Unicode().tag(sync=True)
    #: the class's full name: anywidget's front end keeps one stylesheet per id
    _anywidget_id = traitlets.Unicode().tag(sync=True)

    @traitlets.default("_anywidget_id")
    def _default_anywidget_id(self) -> str:
        return f"{type(self).__module__}.{type(self).__name__}"

    def __init__(self, **kw: Any) -> None:
        colab = _colab_output()
        if colab is not None:   # as anywidget does: third-party widgets need Colab's custom widget manager
            from anywidget._util import enable_custom_widget_manager_once
            enable_custom_widget_manager_once()
        super().__init__(**kw)

    def __repr__(self) -> str:
        # as anywidget: ipywidgets' repr lists every trait (the whole ES module included)
        return object.__repr__(self)

    def _repr_mimebundle_(self, **kwargs: Any) -> tuple[dict, dict] | None:
        if self._view_name is None:
            return None
        data = {"text/plain": repr(self),
                _WIDGET_MIME: {"version_major": _PROTOCOL[0], "version_minor": _PROTOCOL[1],
                               "model_id": self.model_id}}
        meta: dict = {}
        if _colab_output() is not None:
            from anywidget._util import get_repr_metadata
            meta = get_repr_metadata()
        return data, meta
