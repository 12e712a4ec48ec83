"""`h4s records`: look after the learner-record store (GDPR export/delete/purge, import, send to the LRS)."""
from __future__ import annotations

import json
import sys

EPILOG = """examples:
  h4s records status
  h4s records export --learner 4f1d2c3b-aaaa-4bbb-8ccc-123456789abc -o learner.json
  h4s records delete --learner anna@example.org      (an e-mail is looked up by its pseudonym)
  h4s records purge --older-than 365
  h4s records import my-results.json
  h4s records flush                                   (send queued xAPI statements now)

The store is the PostgreSQL database of $H4S_DATABASE_URL when it is set, else the SQLite file
$H4S_DATA_DIR/records.sqlite (default: the user data directory, e.g. ~/.local/share/h4s)."""


def add_parser(sub):
    import argparse
    p = sub.add_parser("records", help="learner records: export, delete, purge, import, send to the LRS",
                       epilog=EPILOG, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--db", help="records database: a SQLite file or a postgresql:// URL "
                                "(default: $H4S_DATABASE_URL, else $H4S_DATA_DIR/records.sqlite)")
    rs = p.add_subparsers(dest="action", metavar="ACTION")
    e = rs.add_parser("export", help="everything stored about one learner, as JSON (GDPR access)")
    e.add_argument("--learner", required=True, help="pseudonymous id (or the e-mail it was made from)")
    e.add_argument("-o", "--output", help="file to write (default: standard output)")
    d = rs.add_parser("delete", help="erase one learner's records and queued statements (GDPR erasure)")
    d.add_argument("--learner", required=True)
    pu = rs.add_parser("purge", help="erase everything older than a number of days")
    pu.add_argument("--older-than", type=float, required=True, metavar="DAYS")
    i = rs.add_parser("import", help="load a 'Download my results' file from the static book")
    i.add_argument("file")
    rs.add_parser("flush", help="send queued xAPI statements to the LRS now")
    rs.add_parser("status", help="where the store is, how many records, what waits for the LRS")
    p.set_defaults(func=run, _parser=p)


def _store(args):
    from h4s_kit.records.store import open_store
    return open_store(args.db)


def _learner(args, store):
    from h4s_kit.records.store import clean_learner
    return clean_learner(args.learner, store.key_dir) or args.learner


def run(args) -> int:
    if not args.action:
        args._parser.print_help()
        return 2
    store = _store(args)
    try:
        if args.action == "export":
            from h4s_kit.records.gdpr import export_learner
            data = export_learner(store, _learner(args, store))
            text = json.dumps(data, ensure_ascii=False, indent=2)
            if not data["records"] and not data["statements"] and not data["module_results"]:
                print(f"h4s records: nothing is stored about {data['learner']}", file=sys.stderr)
            if args.output:
                with open(args.output, "w", encoding="utf-8") as f:
                    f.write(text + "\n")
                print(f"h4s records: {len(data['records'])} records and {len(data['statements'])} statements of "
                      f"{data['learner']} written to {args.output}", file=sys.stderr)
            else:
                print(text)
            return 0
        if args.action == "delete":
            from h4s_kit.records.gdpr import delete_learner
            r = delete_learner(store, _learner(args, store))
            print(f"h4s records: erased {r['records']} records, {r['statements']} statements and "
                  f"{r['module_results']} module results of {r['learner']}; {r['credentials']} credentials "
                  "erased from the store (not revoked: the learner keeps them)")
            if r["sent_statement_ids"]:
                print(f"  {len(r['sent_statement_ids'])} statements had already been sent to the LRS; ask its "
                      "operator to erase them there. Their ids:")
                for sid in r["sent_statement_ids"]:
                    print(f"  {sid}")
            return 0
        if args.action == "purge":
            from h4s_kit.records.gdpr import purge_older_than
            r = purge_older_than(store, args.older_than)
            print(f"h4s records: erased {r['records']} records, {r['statements']} statements and "
                  f"{r['module_results']} module results older than {args.older_than:g} days; "
                  f"{r['credentials']} credentials erased from the store (not revoked)")
            return 0
        if args.action == "import":
            from h4s_kit.records.importer import import_records_file
            r = import_records_file(store, args.file)
            print(f"h4s records: {args.file}: {r['added']} records added, {r['already_there']} already there, "
                  f"{r['module_level_skipped']} module-level statements skipped")
            return 0
        if args.action == "flush":
            from h4s_kit.records.lrs import config_from_env, flush
            cfg = config_from_env()
            if cfg is None:
                print("h4s records: H4S_LRS_URL is not set; nothing to send to", file=sys.stderr)
                return 1
            r = flush(store, cfg, force=True)
            print(f"h4s records: sent {r.sent}, rejected {r.rejected}, waiting {r.retry}"
                  + (f" ({r.error})" if r.error else ""))
            return 0 if not r.error else 1
        if args.action == "status":
            from h4s_kit.records.fs import fs_kind
            from h4s_kit.records.lrs import config_from_env
            cfg = config_from_env()
            if store.path is not None:
                kind, m = fs_kind(store.path)
                print(f"database   {store.path} ({kind} file system{', ' + m.fs_type if m else ''}), "
                      f"schema {store.user_version}")
            else:
                print(f"database   {store.location} (PostgreSQL), schema {store.user_version}")
            print(f"records    {store.count()}")
            print(f"statements {json.dumps(store.queue_counts()) or '{}'}")
            print(f"LRS        {cfg.statements_url if cfg else 'not configured (set H4S_LRS_URL)'}")
            return 0
    finally:
        store.close()
    return 2
