"""`h4s new "Title"`: scaffold a module that passes `h4s check`."""
from __future__ import annotations


def add_parser(sub):
    p = sub.add_parser("new", help="create a new module folder from the template",
                       description="Create modules/NN-slug/ with a notebook, example questions, a closing quiz "
                                   "and media credits. The new module passes h4s check.")
    p.add_argument("title", nargs="?", help='the module title, e.g. "Digital safety at work" (default with --from: '
                                            "the proposal's title)")
    p.add_argument("--from", dest="proposal", metavar="PROPOSAL",
                   help="a proposal file written by h4s propose: the module's metadata is filled in from it")
    p.add_argument("--lang", default=None, help="language code of the module (BCP 47: en, de, el, pt-BR); default en")
    p.add_argument("--slug", default=None, help="folder name after the number (default: made from the title)")
    p.add_argument("--dir", default="modules", help="folder that holds the modules (default: modules)")
    p.add_argument("--author", action="append", default=None,
                   help="author name (repeat for several; default: Hack4Society contributors)")
    p.set_defaults(func=run)


def run(args) -> int:
    from h4s_kit.new import new_module

    proposal = None
    if args.proposal:
        from h4s_kit.proposal import read_proposal
        proposal = read_proposal(args.proposal)
    elif args.title is None:
        from h4s_kit.new import NewModuleError
        raise NewModuleError('give the module a title, e.g. h4s new "Digital safety at work", or a proposal with --from')
    folder = new_module(args.title, lang=args.lang, slug=args.slug, directory=args.dir, authors=args.author,
                        proposal=proposal)
    print(f"created {folder}/")
    print(f"  next: open {folder}/module.ipynb in JupyterLab, edit the text, the questions in "
          f"{folder}/questions/ and the metadata (outcomes, summary, eqf_level)")
    print(f"  then: h4s check {folder}")
    return 0
