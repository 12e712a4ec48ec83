"""`h4s translate extract|update|status [MODULE...] [--lang LL]`: gettext catalogues of the modules."""
from __future__ import annotations


def add_parser(sub):
    p = sub.add_parser(
        "translate", help="translation catalogues of modules (extract, update, status)",
        description="extract: write MODULE/locales/module.pot from the notebook and banks. update: merge it "
                    "into MODULE/locales/LL/LC_MESSAGES/module.po (new catalogue if there is none; changed "
                    "source: fuzzy; removed: obsolete). status: translated, fuzzy and untranslated messages "
                    "per module and language.")
    p.add_argument("action", choices=("extract", "update", "status"))
    p.add_argument("modules", nargs="*", metavar="MODULE", help="module folders or a folder of modules (default: modules/)")
    p.add_argument("--lang", action="append", metavar="LL",
                   help="language code (repeatable); update: default every language the module has")
    p.set_defaults(func=run)


def run(args) -> int:
    import re

    from h4s_kit import translate as tr
    from h4s_widgets._errors import H4SError
    folders = tr.module_folders(args.modules or None)
    for lang in args.lang or []:
        if not re.fullmatch(r"[a-z]{2,3}(_[A-Z]{2})?", lang):
            raise H4SError(f"--lang {lang!r}: give a language code such as de, el or pt_BR")
    if args.action == "extract":
        for f in folders:
            path, changed, n = tr.extract(f)
            print(f"{path}: {n} messages{'' if changed else ' (unchanged)'}")
        return 0
    if args.action == "update":
        for f in folders:
            tr.extract(f)
            for lang in args.lang or tr.languages(f):
                path, changed = tr.update(f, lang)
                print(f"{path}: {'updated' if changed else 'unchanged'}")
        return 0
    rows = [tr.status(f, lang) for f in folders for lang in (args.lang or tr.languages(f))]
    print(tr.status_table(rows) if rows else "no translations yet: start one with h4s translate update MODULE --lang LL")
    return 0
