"""`h4s serve`: the web book at / and the live modules (Voilà) under /live/, at one address, in one process."""
from __future__ import annotations


def add_parser(sub):
    p = sub.add_parser(
        "serve", help="serve the book and the live modules at one address",
        description="Build the book (unless --no-build), then serve it at / and the live version of every "
                    "module under /live/ (one jupyter_server with Voilà; a live page starts its kernel when it is opened). "
                    "Ctrl-C stops everything.")
    p.add_argument("--port", type=int, default=8000, help="port (default 8000)")
    p.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1; "
                   "use 0.0.0.0 only behind a firewall/reverse proxy you trust)")
    p.add_argument("--no-build", action="store_true", help="serve the existing _build/html as it is")
    p.add_argument("--preview", action="store_true",
                   help="serve the preview book: every module, also those without an accepting review of their "
                        "current version, marked as previews (built into _build/preview)")
    p.add_argument("--modules", metavar="DIR", help="folder of the modules (default: modules/)")
    p.add_argument("--out", metavar="DIR", help="build folder (default: _build)")
    p.add_argument("--cull-after", type=int, default=300, metavar="SECONDS",
                   help="shut down the kernel of a closed live page after this many idle seconds (default 300)")
    p.add_argument("--preheat", default="", metavar="MODULES",
                   help="comma-separated modules (ids or number prefixes, e.g. 01,04; de/04 for the page of the "
                        "German book) that keep one kernel started for their next live page (default: none; each "
                        "kernel takes 60-120 MB)")
    p.add_argument("--server-grading", choices=("auto", "on", "off"), default="auto",
                   help="grade the book's quizzes on the server and serve its pages without answer keys "
                        "(auto: when the quiz runtime supports it)")
    p.add_argument("--single-user", action="store_true",
                   help="where no sandbox for learners' code is available (no bubblewrap: macOS, Windows, no user "
                        "namespaces), run code exercises without one instead of refusing them; for serving "
                        "yourself only, on 127.0.0.1")
    p.set_defaults(func=run)


def run(args) -> int:
    from h4s_kit.serve import serve
    return serve(port=args.port, host=args.host, build_first=not args.no_build, modules=args.modules, out=args.out,
                 cull_idle_timeout=args.cull_after,
                 preheat=tuple(m.strip() for m in args.preheat.split(",") if m.strip()),
                 server_grading={"auto": None, "on": True, "off": False}[args.server_grading],
                 single_user=args.single_user, preview=args.preview)
