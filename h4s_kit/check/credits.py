"""Step 5: credits.  Every file in ``media/`` has an entry in ``media/credits.yml`` with title, author,
source and licence; no entry names a missing file.
"""
from __future__ import annotations

from pathlib import Path

import yaml

from h4s_kit.modules import Module

from . import Context, Finding, Step

CREDITS = "credits.yml"
FIELDS = ("title", "author", "source", "licence")
OPEN_LICENCES = {"CC0-1.0", "CC-BY-4.0", "CC-BY-SA-4.0", "CC-BY-3.0", "CC-BY-SA-3.0", "PUBLIC-DOMAIN", "PDM-1.0",
                 "MIT", "APACHE-2.0", "BSD-3-CLAUSE", "OFL-1.1", "ODBL-1.0", "CC-BY-2.0", "CC-BY-SA-2.0"}
EXAMPLE = ('- {file: chart.svg, title: "...", author: "Hack4Society contributors", '
           'source: "made for this module", licence: "CC-BY-SA-4.0"}')


def media_files(folder: Path) -> list[str]:
    """Files below ``media/`` (relative to it, posix), except credits.yml and hidden files."""
    media = folder / "media"
    if not media.is_dir():
        return []
    out = []
    for p in sorted(media.rglob("*")):
        rel = p.relative_to(media)
        if p.is_file() and rel.as_posix() != CREDITS and not any(part.startswith(".") for part in rel.parts):
            out.append(rel.as_posix())
    return out


class CreditsStep(Step):
    name = "credits"

    def run(self, module: Module, ctx: Context) -> list[Finding]:
        files = media_files(module.folder)
        cpath = module.folder / "media" / CREDITS
        cplace = module.file_place(Path("media") / CREDITS)
        rel_c = f"media/{CREDITS}"
        if not cpath.exists():
            if not files:
                return []
            return [self.error(module, module.file_place(Path("media") / f), "this media file has no credit "
                               f"({rel_c} does not exist)",
                               f"create {rel_c} with one entry per media file, e.g. "
                               f"{EXAMPLE.replace('chart.svg', f)}") for f in files]
        try:
            data = yaml.safe_load(cpath.read_text(encoding="utf-8"))
        except (yaml.YAMLError, UnicodeDecodeError) as e:
            mark = getattr(e, "problem_mark", None)
            where = f"{cplace}:line {mark.line + 1}" if mark else cplace
            problem = getattr(e, "problem", None) or str(e)
            return [self.error(module, where, f"invalid YAML: {problem}",
                               f"correct {rel_c}: check indentation and put text containing ':' or '#' in quotes")]
        if data is None:
            data = []
        if isinstance(data, dict) and isinstance(data.get("credits"), list):
            data = data["credits"]
        if not isinstance(data, list):
            return [self.error(module, cplace, "must be a list of entries, one per media file",
                               f"write one line per file, e.g. {EXAMPLE}")]
        out: list[Finding] = []
        credited: dict[str, int] = {}
        for k, entry in enumerate(data, start=1):
            if not isinstance(entry, dict):
                out.append(self.error(module, f"{cplace}:entry {k}", "is not a mapping of fields",
                                      f"write entry {k} like {EXAMPLE}"))
                continue
            f = entry.get("file")
            label = f"{cplace}:entry {k}" + (f" ({f})" if isinstance(f, str) else "")
            if not isinstance(f, str) or not f.strip():
                out.append(self.error(module, label, "names no file", f"add 'file: name.svg' to entry {k}"))
                continue
            f = Path(f.strip()).as_posix().removeprefix("media/")
            if f in credited:
                out.append(self.warning(module, label, f"{f} is credited twice (also entry {credited[f]})",
                                        f"merge the two entries for {f} in {rel_c}"))
            credited.setdefault(f, k)
            missing = [x for x in FIELDS if not isinstance(entry.get(x), str) or not entry.get(x).strip()]
            if missing:
                out.append(self.error(
                    module, label, f"the credit lacks {', '.join(missing)}",
                    f"in {rel_c}, entry {k}, add {', '.join(m + ': ...' for m in missing)} "
                    f"(who made it, where it comes from, under which licence)"))
            lic = entry.get("licence")
            if isinstance(lic, str) and lic.strip() and lic.strip().upper() not in OPEN_LICENCES:
                out.append(self.warning(
                    module, label, f"licence '{lic}' is not a known open licence; an OER may only use openly "
                                   f"licensed media",
                    "use an SPDX id such as CC-BY-SA-4.0, CC-BY-4.0 or CC0-1.0, or replace the file"))
            if not (module.folder / "media" / f).is_file():
                out.append(self.error(
                    module, label, f"the credited file media/{f} does not exist",
                    f"correct the file name in {rel_c}, entry {k}, or delete the entry"))
        for f in files:
            if f not in credited:
                out.append(self.error(
                    module, module.file_place(Path("media") / f), "this media file has no credit",
                    f"add to {rel_c}: {EXAMPLE.replace('chart.svg', f)} (with the real title, author, source and "
                    f"licence)"))
        return out
