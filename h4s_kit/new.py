"""``h4s new "Title"``: scaffold ``modules/NN-slug/`` from ``h4s_kit/templates/module/``.

The new module passes ``h4s check``: metadata filled in (status draft, licence CC-BY-SA-4.0, placeholder
outcomes), example questions of several types, a closing quiz with ``pass_mark``, a credited picture.
"""
from __future__ import annotations

import re
import shutil
import unicodedata
import uuid
from pathlib import Path

from h4s_widgets._errors import H4SError
from h4s_kit.metadata import DEFAULT_AUTHORS, DEFAULT_LICENCE, LANGUAGE_RE, validate_metadata

TEMPLATE = Path(__file__).parent / "templates" / "module"
SLUG_RE = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")
FOLDER_RE = re.compile(r"^(\d{2})-(.+)$")
MAX_SLUG = 48


class NewModuleError(H4SError, ValueError):
    """``h4s new`` cannot create the module."""


def slugify(title: str) -> str:
    """``"Digital safety at work!"`` -> ``"digital-safety-at-work"`` (ASCII letters, digits, hyphens)."""
    text = unicodedata.normalize("NFKD", title).encode("ascii", "ignore").decode("ascii").lower()
    text = re.sub(r"[^a-z0-9]+", "-", text).strip("-")
    if len(text) > MAX_SLUG:
        text = text[:MAX_SLUG].rsplit("-", 1)[0] or text[:MAX_SLUG]
    return text.strip("-")


def existing_modules(base: Path) -> dict[str, Path]:
    """slug -> folder for every ``NN-slug`` folder in ``base``."""
    out = {}
    if base.is_dir():
        for p in sorted(base.iterdir()):
            m = FOLDER_RE.match(p.name)
            if p.is_dir() and m:
                out.setdefault(m.group(2), p)
    return out


def next_number(base: Path) -> int:
    """The next free two-digit number: one more than the highest ``NN-`` folder (01 when none)."""
    used = [int(FOLDER_RE.match(p.name).group(1)) for p in base.iterdir()
            if p.is_dir() and FOLDER_RE.match(p.name)] if base.is_dir() else []
    n = max(used, default=0) + 1
    if n > 99:
        raise NewModuleError(f"{base}: module numbers go up to 99 and 99 is taken; renumber or archive old modules")
    return n


def new_module(title: str | None, lang: str | None = None, slug: str | None = None, directory: str | Path = "modules",
               authors: list[str] | None = None, proposal=None) -> Path:
    """Create the module folder and return it.  ``proposal`` (:class:`h4s_kit.proposal.Proposal`): take the
    title, summary, outcomes, EQF level, language, duration, licence, audience and proposers from it."""
    if proposal is not None:
        title = title or proposal.title
        lang = lang or proposal.language
    lang = lang or "en"
    title = " ".join((title or "").split())
    if not title:
        raise NewModuleError('the title is empty; give the module a title, e.g. h4s new "Digital safety at work"')
    if not re.match(LANGUAGE_RE, lang or ""):
        raise NewModuleError(f"--lang {lang!r} is not a language code; use e.g. en, de, el, pt-BR")
    if slug is None:
        slug = slugify(title)
        if not slug:
            raise NewModuleError(f"cannot make a folder name from the title {title!r} (no Latin letters or digits); "
                                 f"give one with --slug, e.g. --slug digital-safety")
    elif not SLUG_RE.match(slug) or len(slug) > MAX_SLUG:
        raise NewModuleError(f"--slug {slug!r} must be lowercase letters and digits joined by single hyphens "
                             f"(at most {MAX_SLUG} characters), e.g. digital-safety")
    base = Path(directory)
    if base.exists() and not base.is_dir():
        raise NewModuleError(f"{base} is a file; --dir must be a folder")
    taken = existing_modules(base)
    if slug in taken:
        raise NewModuleError(f"a module with the slug {slug!r} already exists: {taken[slug]}; "
                             f"choose another title or give --slug")
    module_id = f"{next_number(base):02d}-{slug}"
    folder = base / module_id
    base.mkdir(parents=True, exist_ok=True)
    try:
        _write(folder, module_id, title, lang, authors or list(DEFAULT_AUTHORS), proposal)
    except BaseException:
        shutil.rmtree(folder, ignore_errors=True)
        raise
    return folder


def _write(folder: Path, module_id: str, title: str, lang: str, authors: list[str], proposal=None) -> None:
    import nbformat

    shutil.copytree(TEMPLATE, folder, ignore=shutil.ignore_patterns("module.ipynb", "__pycache__", ".*"))
    nb = nbformat.read(str(TEMPLATE / "module.ipynb"), as_version=4)
    for cell in nb.cells:
        cell.source = cell.source.replace("{{TITLE}}", title).replace("{{MODULE_ID}}", module_id)
        cell["id"] = uuid.uuid4().hex[:8]
    meta = {
        "schema_version": 1,
        "id": module_id,
        "title": title,
        "summary": f"Replace this summary: what \"{title}\" is about and who it is for.",
        "outcomes": [
            "You can explain ... (replace with the first learning outcome)",
            "You can apply ... (replace with the second learning outcome)",
        ],
        "eqf_level": 4,
        "duration_minutes": 45,
        "language": lang,
        "licence": DEFAULT_LICENCE,
        "authors": authors,
        "status": "draft",
        "digcompedu": [2],
        "keywords": [],
        "audience": ["VET learners"],
        "closing_quiz": "questions/closing-quiz.yml",
        "parameters": {"hourly_rate": 18.5},
    }
    if proposal is not None:
        from h4s_kit.proposal import module_metadata
        meta.update(module_metadata(proposal), title=title, language=lang)
        nb.cells[0].source = _intro(title, meta)
    validate_metadata(meta, folder / "module.ipynb", module_id)
    nb.metadata["h4s"] = meta
    nb.metadata.setdefault("language_info", {})["name"] = "python"
    nbformat.write(nb, str(folder / "module.ipynb"))


def _intro(title: str, meta: dict) -> str:
    """The first cell of a module made from a proposal: its title, challenge, outcomes and time."""
    outcomes = "\n".join(f"- {o}" for o in meta["outcomes"])
    return (f"# {title}\n\n{meta['summary']}\n\n*Replace the paragraph above with one or two sentences on what "
            f"this module is about and who it is for.*\n\n**After this module:**\n\n{outcomes}\n\n"
            f"**Time:** about {meta['duration_minutes']} minutes.")
