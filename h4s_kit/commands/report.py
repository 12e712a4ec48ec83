"""`h4s report`: completion, scores and question statistics for trainers (HTML page + CSV files)."""
from __future__ import annotations


def add_parser(sub):
    p = sub.add_parser("report", help="trainer report: completion, scores, hard and confusing questions (HTML + CSV)")
    p.add_argument("--module", help="only this module id")
    p.add_argument("-o", "--output", default="report", help="folder to write (default: report/)")
    p.add_argument("--db", help="records database: a SQLite file or a postgresql:// URL "
                                "(default: $H4S_DATABASE_URL, else $H4S_DATA_DIR/records.sqlite)")
    p.add_argument("--modules-dir", default="modules",
                   help="where the module folders are, for question texts, options and pass marks (default: modules)")
    p.add_argument("--title", default="Trainer report")
    p.set_defaults(func=run)


def run(args) -> int:
    from h4s_kit.report import report_from_store
    r = report_from_store(args.output, db=args.db, module=args.module, modules_dir=args.modules_dir, title=args.title)
    mods = r["modules"]
    if args.module and not mods:
        print(f"h4s report: no records for module {args.module!r}; the page says so")
    print(f"h4s report: {len(mods)} module(s), {sum(m.started for m in mods)} learner-module pairs -> {r['html']}")
    for f in r["csv"]:
        print(f"  {f}")
    return 0
