"""Step 1: the notebook can be read and its metadata ``h4s`` matches the schema (h4s_kit.metadata)."""
from __future__ import annotations

import re

from h4s_kit.metadata import ALLOWED, metadata_problems
from h4s_kit.modules import Module, display_path

from . import Context, Finding, Step

HOW = ("open module.ipynb in JupyterLab, then the property inspector (gear icon, right sidebar) > "
       "Advanced Tools > Notebook metadata, and edit the \"h4s\" section")


class MetadataStep(Step):
    name = "metadata"

    def run(self, module: Module, ctx: Context) -> list[Finding]:
        if module.nb is None:
            return [self.error(module, module.nb_place, module.read_error or "cannot be read",
                               "restore module.ipynb from git or create the module again with h4s new")]
        out = []
        prefix = module.nb_place + ": "
        for problem in metadata_problems(module.nb.metadata.get("h4s"), module.nb_place, module.id):
            text = str(problem)
            text = text[len(prefix):] if text.startswith(prefix) else text
            out.append(self.error(module, module.nb_place, text, self._fix(text, module)))
        if not out:
            out += self._publication(module)
        ks = module.nb.metadata.get("kernelspec") or {}
        if ks.get("name") not in (None, "python3"):
            out.append(self.warning(module, module.nb_place,
                                    f"the notebook uses the kernel {ks.get('name')!r}; modules run with python3",
                                    "in JupyterLab choose Kernel > Change Kernel > Python 3 and save"))
        elif not ks:
            out.append(self.warning(module, module.nb_place, "the notebook names no kernel (kernelspec)",
                                    "in JupyterLab choose Kernel > Change Kernel > Python 3 and save"))
        return out

    def _publication(self, module: Module) -> list[Finding]:
        """Issue 19: the status says what the reviews say (h4s build publishes only accepted versions)."""
        from h4s_kit.metadata import validate_metadata
        meta = validate_metadata(module.nb.metadata.get("h4s"), module.nb_place, module.id)
        if meta.status == "published" and not meta.passed_review():
            last = meta.current_review()
            why = (f"its last review of version {meta.version} decided {last.decision}" if last
                   else f"version {meta.version} has no review")
            return [self.warning(module, module.nb_place,
                                 f"the status is published but {why}, so h4s build leaves the module out of the "
                                 f"book (h4s build --preview shows it)",
                                 f"h4s review {display_path(module.folder)} --decision ... records a review; a new version "
                                 f"needs a review of its own")]
        return []

    @staticmethod
    def _fix(text: str, module: Module) -> str:
        m = re.search(r"h4s\.([a-z_]+)", text)
        field = m.group(1) if m else ""
        if "no 'h4s' section" in text:
            return f"{HOW}: add the section (copy it from a module made with h4s new)"
        if "not a known field" in text:
            return f"{HOW}: remove or rename \"{field}\""
        if field == "id":
            return f"{HOW}: set \"id\": \"{module.id}\" (the folder name), or rename the folder"
        if field in ALLOWED:
            return f"{HOW}: set \"{field}\" to {ALLOWED[field]}"
        return HOW
