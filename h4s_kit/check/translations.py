"""Step 10: the module's translations (``locales/LL/LC_MESSAGES/module.po``), per language.

A published language must be 100 % translated with no fuzzy entry; a draft (``locales/LL/draft.txt``)
is reported as such.  Translated banks stay valid, keep their gaps and accepted answers, and can change
no id, key, answer or number (the rules are in :mod:`h4s_kit.translate._verify`).
"""
from __future__ import annotations

from h4s_kit.modules import Module

from . import Context, Finding, Step


class TranslationsStep(Step):
    name = "translations"

    def run(self, module: Module, ctx: Context) -> list[Finding]:
        from h4s_kit.translate import languages
        from h4s_kit.translate._verify import verify
        out: list[Finding] = []
        for lang in languages(module.folder):
            for p in verify(module.folder, lang):
                place = f"{module.file_place(p.place.split(':')[0])}" + (f":{p.place.split(':', 1)[1]}" if ":" in p.place else "")
                out.append((self.error if p.error else self.warning)(module, f"{place} [{lang}]", p.message, p.fix))
        return out
