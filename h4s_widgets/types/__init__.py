"""Question types as units: one module per type in this package.

A type module is found by name (every module in this folder is loaded when
:mod:`h4s_widgets._schema` builds the bank schema, as nbgrader loads one
preprocessor per file) and registers itself as papermill's engines do: the
module's pydantic model is decorated with :func:`h4s_widgets._schema.register`
and the module itself is the type's *unit*, looked up with :func:`unit`.
Units are imported on demand: :func:`unit` and :func:`hook` import the module
named like the type (all of them, if there is none), :func:`load_all` and the
name ``UNITS`` every module.

The interface of a type module (every name but ``TYPE``, the model, ``grade``
and ``EXAMPLE`` may be left out; a missing hook means "the type does not do
this", e.g. no GIFT export):

``TYPE``
    The type name (``type:`` in a bank), e.g. ``"select_words"``.
model class
    A :class:`h4s_widgets._schema.QuestionBase` subclass decorated with ``@register``;
    its ``type`` field is ``Literal[TYPE]``; its validators raise ``ValueError("field: problem")``.
``grade(q, response) -> Result``
    The pure grader (:mod:`h4s_widgets._grading` rules: ``empty``/``invalid`` feedback, rounding).
``public_spec(q, seed) -> dict``
    What the browser gets besides the common fields (``id``, ``type``, ``title``, ...): at least
    ``text_html``; never a key.
``HASHED`` and ``static_key(q, salt) -> dict``
    The key for pages without a kernel (``HASHED``: its answers are salted hashes, ``key_hash``).
``feedback_texts(q) -> dict``
    Feedback id -> HTML, besides ``general``.
``solution_html(q, lang) -> str``
    The worked answer.
``XAPI_INTERACTION``, ``xapi_components(spec, lang) -> dict``, ``xapi_response(response, spec) -> str``
    The xAPI / SCORM interaction mapping (:mod:`h4s_kit.records.xapi`).
``to_gift(q, w) -> str | None`` and ``to_moodle_xml(q, w) -> tuple[str, str, str] | None``
    Export hooks for :mod:`h4s_kit.interop` (``w``: the writer's helpers and its list of problems;
    None: skip the question); Moodle XML returns ``(Moodle question type, the elements after the
    common ones, the question text)``.
``public_text(text) -> str``
    The question text as a stored record may show it (cloze, drag_words: the gaps as ``_____``).
``EXAMPLE``
    One example, a YAML list item, shown in the question-types reference and tested.
``INVALID``
    ``[(fields that break the example, the start of the one-line error)]``, checked by tests/test_types.py.

Every question type is such a unit; the shared modules keep what is common and ask the units through
:func:`hook` (tests/test_types.py fails on a shared module that dispatches on a concrete type).

``h4s_widgets/_static/src/types/<type>.js`` is the same type's browser half (view and JS grader).
"""
from __future__ import annotations

import importlib
import importlib.util
import pkgutil
from types import ModuleType

#: type name -> type module, of the units imported so far (``UNITS``: every unit)
_UNITS: dict[str, ModuleType] = {}
_all_loaded = False

#: the order in which the bank schema, the JSON Schema and the reference list the types; a module not named
#: here comes after these, by name
ORDER = ("single_choice", "multiple_response", "true_false", "cloze", "numeric", "short_text", "matching",
         "ordering", "drag_words", "code", "essay", "likert", "flashcards")


def _place(name: str) -> tuple[int, str]:
    return (ORDER.index(name), "") if name in ORDER else (len(ORDER), name)


def _add(module_name: str) -> ModuleType:
    mod = importlib.import_module(f"{__name__}.{module_name}")
    name = getattr(mod, "TYPE", None)
    if not isinstance(name, str):
        raise RuntimeError(f"h4s_widgets/types/{module_name}.py: has no TYPE = '<type name>'")
    if _UNITS.get(name, mod) is not mod:
        raise RuntimeError(f"question type {name!r} has two modules ({_UNITS[name].__name__}, {mod.__name__})")
    _UNITS[name] = mod
    return mod


def load_all() -> None:
    """Import every type module of this package (each registers its model), in :data:`ORDER`."""
    global _all_loaded
    if _all_loaded:
        return
    for info in sorted(pkgutil.iter_modules(__path__), key=lambda i: _place(i.name)):
        if not info.name.startswith("_"):
            _add(info.name)
    ordered = sorted(_UNITS.items(), key=lambda kv: _place(kv[0]))
    _UNITS.clear()
    _UNITS.update(ordered)
    _all_loaded = True


def unit(name: str) -> ModuleType | None:
    """The module of type ``name`` (imported now if need be), or None for a type that has none."""
    mod = _UNITS.get(name)
    if mod is None and not _all_loaded:
        if isinstance(name, str) and name.isidentifier() and not name.startswith("_") \
                and importlib.util.find_spec(f"{__name__}.{name}") is not None:
            _add(name)
        mod = _UNITS.get(name)
        if mod is None:   # a module not named like its type
            load_all()
            mod = _UNITS.get(name)
    return mod


def hook(name: str, what: str):
    """The hook ``what`` of type ``name`` (a function or constant), or None."""
    mod = unit(name)
    return getattr(mod, what, None) if mod is not None else None


def __getattr__(name: str):
    if name == "UNITS":   # every unit
        load_all()
        return _UNITS
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
