"""``ModulePanel("modules/03-x")``: the module's notebook metadata as a form; ``NewModulePanel()``: ``h4s new``.

The form is generated from the metadata model's JSON Schema (:func:`h4s_kit.metadata.json_schema`), so a
field added to :class:`h4s_kit.metadata.ModuleMeta` appears in the panel without a change here; the help
texts are the model's descriptions, else what :data:`h4s_kit.metadata.ALLOWED` says is allowed.  Errors are
the model's own validation, in the words ``h4s check`` uses.  Saving writes ``metadata["h4s"]`` with nbformat
(only a valid mapping is written; the cells are not touched).
"""
from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import traitlets

from h4s_widgets import H4SError

from ._common import PanelView, field_key

#: EQF level -> the knowledge descriptor of Annex II of the Council Recommendation of 22 May 2017 on the
#: European Qualifications Framework for lifelong learning (2017/C 189/03)
EQF_KNOWLEDGE = {
    1: "Basic general knowledge",
    2: "Basic factual knowledge of a field of work or study",
    3: "Knowledge of facts, principles, processes and general concepts, in a field of work or study",
    4: "Factual and theoretical knowledge in broad contexts within a field of work or study",
    5: "Comprehensive, specialised, factual and theoretical knowledge within a field of work or study and an "
       "awareness of the boundaries of that knowledge",
    6: "Advanced knowledge of a field of work or study, involving a critical understanding of theories and principles",
    7: "Highly specialised knowledge, some of which is at the forefront of knowledge in a field of work or study, "
       "as the basis for original thinking and/or research",
    8: "Knowledge at the most advanced frontier of a field of work or study and at the interface between fields",
}


def metadata_form_schema() -> dict:
    """The metadata JSON Schema with help texts for every field (the model's, else the allowed values)."""
    from h4s_kit.metadata import ALLOWED, json_schema
    from h4s_kit.oer import DIGCOMPEDU_AREAS

    schema = copy.deepcopy(json_schema())
    for name, prop in schema.get("properties", {}).items():
        if not prop.get("description") and name in ALLOWED:
            prop["description"] = ALLOWED[name][0].upper() + ALLOWED[name][1:]
    if "eqf_level" in schema.get("properties", {}):
        schema["properties"]["eqf_level"]["x-help-by-value"] = {
            str(k): f"EQF level {k} (knowledge): {v}" for k, v in EQF_KNOWLEDGE.items()}
    if "digcompedu" in schema.get("properties", {}):
        p = schema["properties"]["digcompedu"]
        p["description"] = (p.get("description") or "DigCompEdu areas") + ": " + "; ".join(
            f"{k} {v}" for k, v in DIGCOMPEDU_AREAS.items())
    return schema


def metadata_errors(value: Any, folder_name: str | None = None) -> dict[str, str]:
    """{form key: message} for ``metadata["h4s"]`` (the model's validation, in h4s check's words)."""
    from h4s_kit.metadata import field_problems

    out = {field_key(f): msg for f, msg in field_problems(value).items()}
    if not out and folder_name is not None and isinstance(value, dict) and value.get("id") != folder_name:
        out["id"] = f"must equal the module's folder name {folder_name!r}"
    return out


class _FormView(PanelView):
    schema = traitlets.Dict().tag(sync=True)
    value = traitlets.Dict().tag(sync=True)
    errors = traitlets.Dict().tag(sync=True)
    hidden = traitlets.List().tag(sync=True)
    heading = traitlets.Unicode("").tag(sync=True)
    action_label = traitlets.Unicode("Save").tag(sync=True)


def _notebook_of(path: str | Path) -> Path:
    p = Path(path)
    if p.is_dir():
        p = p / "module.ipynb"
    if not p.is_file():
        raise H4SError(f"{p}: no module notebook here; give the module folder or its module.ipynb")
    return p


class ModulePanel(_FormView):
    """The metadata of one module (``metadata["h4s"]`` of its notebook) as a form."""

    def __init__(self, path: str | Path = ".", **kw: Any):
        import nbformat

        self.notebook = _notebook_of(path)
        nb = nbformat.read(str(self.notebook), as_version=4)
        value = dict(nb.metadata.get("h4s") or {})
        super().__init__(kind="module", schema=metadata_form_schema(), value=value,
                         hidden=["schema_version", "parameters"], heading=f"Module: {value.get('title') or self.notebook.parent.name}",
                         action_label="Save metadata", **kw)
        self.observe(lambda _c: self._validate(), names=["value"])
        self.on_msg(self._on_msg)
        self._validate()

    def _validate(self) -> None:
        self.errors = metadata_errors(self.value, self.notebook.parent.name)

    def set(self, **fields: Any) -> dict[str, str]:
        """Change fields (as typing in the form does); returns the problems."""
        self.value = {**self.value, **fields}
        return dict(self.errors)

    def save(self) -> None:
        """Write ``metadata["h4s"]`` into the notebook; refuses invalid metadata (nothing written)."""
        import nbformat

        if self.errors:
            key, msg = next(iter(self.errors.items()))
            self.status = f"Not saved: {msg}"
            raise H4SError(f"{self.notebook}: not saved: {msg}")
        nb = nbformat.read(str(self.notebook), as_version=4)
        nb.metadata["h4s"] = copy.deepcopy(dict(self.value))
        nbformat.write(nb, str(self.notebook))
        self.status = (f"Saved into {self.notebook.name}. If the notebook is open, JupyterLab asks whether to "
                       f"reload it: choose Revert (reload) before you edit it further")

    def _on_msg(self, _w: Any, content: Any, _b: Any) -> None:
        if isinstance(content, dict) and content.get("action") == "save":
            try:
                self.save()
            except H4SError:
                pass


def new_module_schema() -> dict:
    """The form of ``h4s new``: its parameters, with the metadata schema's own title/language/authors fields."""
    meta = metadata_form_schema()["properties"]
    return {
        "type": "object",
        "required": ["title", "language"],
        "properties": {
            "title": {**meta["title"], "description": "The module's title, e.g. Digital safety at work"},
            "language": {**meta["language"], "default": "en"},
            "slug": {"type": "string", "title": "Folder name (optional)",
                     "description": "Lowercase words joined by hyphens; made from the title when empty"},
            "authors": {**meta["authors"], "description": meta["authors"].get("description")
                        or "Names of the authors (at least one)"},
            "directory": {"type": "string", "title": "Folder of the modules", "default": "modules",
                          "description": "Where the new module's folder goes (modules/ of the course)"},
        },
    }


class NewModulePanel(_FormView):
    """``h4s new`` as a form: creates the module folder with :func:`h4s_kit.new.new_module`."""

    created = traitlets.Unicode("").tag(sync=True)

    def __init__(self, directory: str | Path = "modules", **kw: Any):
        super().__init__(kind="module", schema=new_module_schema(),
                         value={"title": "", "language": "en", "authors": ["Hack4Society contributors"],
                                "directory": str(directory)},
                         heading="New module", action_label="Create module", **kw)
        self.observe(lambda _c: self._validate(), names=["value"])
        self.on_msg(self._on_msg)
        self._validate()

    def _validate(self) -> None:
        v = self.value
        errs = {}
        if not str(v.get("title") or "").strip():
            errs["title"] = "is required: the module's title, e.g. Digital safety at work"
        self.errors = errs

    def create(self) -> Path:
        from h4s_kit.new import new_module

        v = dict(self.value)
        try:
            folder = new_module(str(v.get("title") or ""), lang=str(v.get("language") or "en"),
                                slug=(str(v["slug"]).strip() or None) if v.get("slug") else None,
                                directory=str(v.get("directory") or "modules"),
                                authors=[a for a in v.get("authors") or [] if str(a).strip()] or None)
        except H4SError as e:
            key = "slug" if "--slug" in str(e) else "language" if "--lang" in str(e) else "title"
            self.errors = {key: str(e)}
            self.status = f"Not created: {e}"
            raise
        self.created = str(folder)
        self.status = f"Created {folder}: open {folder / 'module.ipynb'} to write the module"
        return folder

    def _on_msg(self, _w: Any, content: Any, _b: Any) -> None:
        if isinstance(content, dict) and content.get("action") == "save":
            try:
                self.create()
            except H4SError:
                pass


__all__ = ["ModulePanel", "NewModulePanel", "field_key"]
