"""`h4s credentials init | verify | revoke`: the installation's Open Badges 3.0 issuer (h4s_kit.credentials)."""
from __future__ import annotations

from pathlib import Path


def add_parser(sub):
    p = sub.add_parser("credentials", help="Open Badges 3.0 credentials: make the issuer, verify, revoke",
                       description="Learners who pass a module's closing quiz on the served book can claim an Open "
                                   "Badges 3.0 credential signed with this installation's key.")
    verbs = p.add_subparsers(dest="action", metavar="ACTION", required=True)
    i = verbs.add_parser("init", help="make the issuer key and profile (in the data folder)",
                         description="Make the Ed25519 key (data folder, mode 0600; back it up) and the issuer "
                                     "profile; `h4s build` publishes the profile, the public key and the status list "
                                     "in the book's credentials/ folder.")
    i.add_argument("--name", required=True, help="the awarding body's official name")
    i.add_argument("--url", required=True, help="the book's public address, e.g. https://course.example.org/")
    i.add_argument("--country", required=True, help="the awarding body's country, ISO 3166-1 alpha-2 (e.g. DE)")
    i.add_argument("--email", help="a contact address of the awarding body")
    i.add_argument("--description", help="one sentence about the awarding body")
    i.add_argument("--force", action="store_true", help="rewrite the profile of an existing issuer (the key is kept)")
    i.set_defaults(func=run_init)
    v = verbs.add_parser("verify", help="check a credential (JSON or baked SVG badge) offline",
                         description="Check the signature against the issuer's published key, the Open Badges 3.0 "
                                     "JSON schema, the validity dates and the revocation status list.")
    v.add_argument("file", help="the credential: a .json file or a badge .svg")
    v.add_argument("--issuer", action="append", default=[], metavar="PATH",
                   help="the issuer's published files: the credentials/ folder of the built book, or one of its "
                        "files (key.json; status-list.json beside it); also looked in: _build/html/credentials "
                        "and this installation's data folder")
    v.set_defaults(func=run_verify)
    r = verbs.add_parser("revoke", help="revoke a credential (by id, or its file)",
                         description="Set the credential's bit in the signed status list; the list is kept in the "
                                     "data folder (so it survives rebuilds) and written into the built book.")
    r.add_argument("credential", help="the credential id (urn:uuid:..., see the trainer dashboard) or its file")
    r.add_argument("--book", default="_build/html", help="the built book to update (default _build/html)")
    r.add_argument("--db", help="the record store (a SQLite file or postgresql:// URL; default: the configured one)")
    r.set_defaults(func=run_revoke)


def run_init(args) -> int:
    from h4s_kit.credentials import init_issuer
    issuer = init_issuer(args.name, args.url, args.country, email=args.email, description=args.description,
                         force=args.force)
    print(f"issuer: {issuer.profile['name']} ({issuer.profile['id']})")
    print(f"key: {issuer.folder / 'issuer-key.pem'} (mode 0600; back it up: without it no credential can be "
          "issued or revoked under this issuer)")
    print("publish: run `h4s build` to copy issuer.json, key.json and status-list.json into _build/html/credentials/")
    return 0


def run_verify(args) -> int:
    from h4s_kit.credentials import load_file, verify
    from h4s_kit.credentials._verify import default_folders
    folders = [Path(f) for f in args.issuer] + default_folders()
    out = verify(load_file(Path(args.file)), folders=folders)
    print(f"valid: {out['achievement']}, issued by {out['issuer']} on {out['issued']} ({out['id']}; {out['status']})")
    return 0


def run_revoke(args) -> int:
    from h4s_kit.credentials import load_file, revoke
    from h4s_kit.records.store import open_store
    with open_store(args.db) as store:
        if Path(args.credential).is_file():
            out = revoke(store, credential=load_file(Path(args.credential)), book=Path(args.book))
        else:
            out = revoke(store, credential_id=args.credential, book=Path(args.book))
    state = "was already revoked" if out["already"] else "revoked"
    print(f"{out['id']}: {state} (status list index {out['status_index']}); the status list is updated in the data "
          f"folder{' and ' + args.book if Path(args.book).is_dir() else ''}")
    return 0
