"""`h4s export gift|moodle-xml|scorm ...`: questions to Moodle, modules to SCORM packages."""
from __future__ import annotations

from pathlib import Path


def add_parser(sub):
    p = sub.add_parser(
        "export", help="export questions to GIFT / Moodle XML, or a module to a SCORM package",
        description="gift / moodle-xml: write every question of a module (all banks in MODULE/questions/) or of "
                    "one bank, saying per question what could not be exported and why. scorm: package a module "
                    "as a SCORM 1.2 (or 2004) zip for Moodle and other LMSs.")
    p.add_argument("format", choices=("gift", "moodle-xml", "scorm"), help="what to write")
    p.add_argument("source", metavar="MODULE_DIR_or_BANK", help="a module folder, or a bank (.yml/.json) for gift and "
                                                                 "moodle-xml")
    p.add_argument("-o", "--output", required=True, metavar="FILE", help="file to write (.gift.txt / .xml / .zip)")
    p.add_argument("--version", dest="scorm_version", choices=("1.2", "2004"), default="1.2",
                   help="SCORM version (default 1.2)")
    p.add_argument("--no-execute", action="store_true",
                   help="scorm: never run the notebook (use the outputs it has)")
    p.add_argument("--lang", metavar="LL", help="export the module translated into LL (its catalogue "
                   "MODULE/locales/LL/LC_MESSAGES/module.po; untranslated text stays English)")
    p.set_defaults(func=run)


def collect_questions(source: str | Path):
    """(questions, categories, module id or None) from a module folder or a bank file."""
    from h4s_widgets._errors import ExportError
    from h4s_widgets._schema import load_bank
    src = Path(source)
    if src.is_dir():
        qdir = src / "questions"
        banks = sorted(qdir.glob("*.yml")) + sorted(qdir.glob("*.yaml")) + sorted(qdir.glob("*.json"))
        if not banks:
            raise ExportError(f"{src}: no question banks in {qdir} (expected questions/*.yml)")
        module = src.resolve().name
        qs, cats = [], []
        for b in banks:
            bank = load_bank(b)
            for q in bank.questions:
                qs.append(q)
                cats.append(f"h4s/{module}/{b.stem}")
        return qs, cats, module
    if src.is_file():
        bank = load_bank(src)
        return list(bank.questions), [f"h4s/{src.stem}"] * len(bank.questions), None
    raise ExportError(f"{src}: not found; give a module folder (modules/NN-slug) or a bank file (.yml)")


def collect_draws(source: str | Path) -> dict[str, int]:
    """The categories of :func:`collect_questions` whose bank draws (``draw: n``) -> n."""
    from h4s_widgets._schema import load_bank
    src = Path(source)
    if src.is_dir():
        module = src.resolve().name
        qdir = src / "questions"
        banks = sorted(qdir.glob("*.yml")) + sorted(qdir.glob("*.yaml")) + sorted(qdir.glob("*.json"))
        found = {f"h4s/{module}/{b.stem}": load_bank(b).draw for b in banks}
    else:
        found = {f"h4s/{src.stem}": load_bank(src).draw}
    return {c: n for c, n in found.items() if n}


def run(args) -> int:
    if getattr(args, "lang", None):
        from h4s_kit.translate import translated_copy
        with translated_copy(Path(args.source), args.lang) as src:
            args.source, args.lang = str(src), None
            return run(args)
    from h4s_widgets._errors import ExportError
    out = Path(args.output)
    if args.format == "scorm":
        from h4s_kit.interop.scorm import build_scorm
        src = Path(args.source)
        if not src.is_dir():
            raise ExportError(f"{src}: SCORM export needs a module folder (modules/NN-slug)")
        report = build_scorm(src, out, version=args.scorm_version, execute=not args.no_execute)
        for w in report.warnings:
            print(f"warning: {w}")
        print(f"wrote SCORM {args.scorm_version} package {out} ({report.files} files, "
              f"{report.questions} questions, {report.graded} graded)")
        return 0
    qs, cats, _module = collect_questions(args.source)
    draws = collect_draws(args.source)
    if args.format == "gift":
        from h4s_kit.interop.gift import to_gift
        res = to_gift(qs, categories=cats, draws=draws)
    else:
        from h4s_kit.interop.moodle_xml import to_moodle_xml
        res = to_moodle_xml(qs, categories=cats, draws=draws)
    for w in res.warnings:
        print(f"warning: {w}")
    if res.exported == 0:
        raise ExportError(f"{args.source}: none of the {len(qs)} questions can be written as {args.format}")
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(res.text, encoding="utf-8")
    print(f"exported {res.exported} of {len(qs)} questions to {out}")
    return 0
