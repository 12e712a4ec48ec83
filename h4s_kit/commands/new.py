"""`h4s new "Title"`: scaffold a module that passes `h4s check`."""
from __future__ import annotations


def add_parser(sub):
    p = sub.add_parser("new", help="create a new module folder from the template",
                       description="Create modules/NN-slug/ with a notebook, example questions, a closing quiz "
                                   "and media credits. The new module passes h4s check.")
    p.add_argument("title", help='the module title, e.g. "Digital safety at work"')
    p.add_argument("--lang", default="en", help="language code of the module (BCP 47: en, de, el, pt-BR); default en")
    p.add_argument("--slug", default=None, help="folder name after the number (default: made from the title)")
    p.add_argument("--dir", default="modules", help="folder that holds the modules (default: modules)")
    p.add_argument("--author", action="append", default=None,
                   help="author name (repeat for several; default: Hack4Society contributors)")
    p.set_defaults(func=run)


def run(args) -> int:
    from h4s_kit.new import new_module

    folder = new_module(args.title, lang=args.lang, slug=args.slug, directory=args.dir, authors=args.author)
    print(f"created {folder}/")
    print(f"  next: open {folder}/module.ipynb in JupyterLab, edit the text, the questions in "
          f"{folder}/questions/ and the metadata (outcomes, summary, eqf_level)")
    print(f"  then: h4s check {folder}")
    return 0
