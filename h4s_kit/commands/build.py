"""`h4s build`: the static web book of all modules (Jupyter Book 1.x)."""
from __future__ import annotations


def add_parser(sub):
    p = sub.add_parser(
        "build", help="build the web book of all modules (static, no CDN)",
        description="Regenerate _toc.yml from the modules, build the web book with Jupyter Book "
                    "(only changed notebooks are executed again) and check that no page loads anything "
                    "from another host. The book publishes the modules whose current version passed review "
                    "(h4s review); --preview builds every module, the others marked. Output: _build/html.")
    p.add_argument("--force", action="store_true", help="clean build: remove the build folder and the execution cache first")
    p.add_argument("--modules", metavar="DIR", help="folder of the modules, inside the project folder (default: modules/ next to _config.yml)")
    p.add_argument("--out", metavar="DIR", help="build folder (default: _build); the book goes to DIR/html")
    p.add_argument("--root", metavar="DIR", help="folder with _config.yml and book/ (default: this folder or a parent)")
    p.add_argument("-v", "--verbose", action="store_true", help="show the whole Jupyter Book log")
    p.add_argument("--lang", action="append", metavar="LL",
                   help="build the book of this language too, drafts included (repeatable; default: every published "
                        "language; --lang en: English only). Output: DIR/html/LL")
    p.add_argument("--preview", action="store_true",
                   help="build every module, also those without an accepting review of their current version "
                        "(marked as previews on their pages), into _build/preview/html (default --out)")
    p.set_defaults(func=run)


def run(args) -> int:
    from h4s_kit.build import build
    build(root=args.root, modules=args.modules, out=args.out, force=args.force, verbose=args.verbose,
          langs=args.lang, preview=args.preview)
    return 0
