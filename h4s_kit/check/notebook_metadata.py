"""Step 1: the notebook can be read and its metadata ``h4s`` matches the schema (h4s_kit.metadata)."""
from __future__ import annotations

import re

from h4s_kit.metadata import ALLOWED, metadata_problems
from h4s_kit.modules import Module

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
        ks = module.nb.metadata.get("kernelspec") or {}
        if ks.get("name") not in (None, "python3"):
            out.append(self.warning(module, module.nb_place,
                                    f"the notebook uses the kernel {ks.get('name')!r}; modules run with python3",
                                    "in JupyterLab choose Kernel > Change Kernel > Python 3 and save"))
        elif not ks:
            out.append(self.warning(module, module.nb_place, "the notebook names no kernel (kernelspec)",
                                    "in JupyterLab choose Kernel > Change Kernel > Python 3 and save"))
        return out

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
