"""`h4s propose`: write a module proposal file (from flags, or by asking for what is missing)."""
from __future__ import annotations

QUESTIONS = [  # field, flag, question, is a list
    ("title", "--title", "Title of the module", False),
    ("challenge", "--challenge", "The challenge from practice it helps with (one or two sentences)", False),
    ("partner", "--partner", "Partner organisation that brought the challenge (Enter for none)", False),
    ("audience", "--audience", "Who is it for (one per line, empty line to finish)", True),
    ("outcomes", "--outcome", "Learning outcomes, 'You can ...' (one per line, empty line to finish)", True),
    ("eqf_level", "--eqf", "EQF level (1-8)", False),
    ("language", "--lang", "Language code (en, de, el, pt-BR ...)", False),
    ("duration_minutes", "--duration", "Learning time in minutes", False),
    ("licence", "--licence", "Licence (Enter for CC-BY-SA-4.0)", False),
    ("proposers", "--proposer", "Who proposes it (one name per line, empty line to finish)", True),
]


def add_parser(sub):
    p = sub.add_parser("propose", help="write a module proposal (challenge, audience, outcomes, EQF level ...)",
                       description="Write a proposal file for a new module. Give the fields as options; "
                                   "in a terminal, h4s asks for the ones you leave out. Then "
                                   "`h4s new --from FILE` makes the module from it.")
    p.add_argument("--title")
    p.add_argument("--challenge", help="the problem from practice that the module helps with")
    p.add_argument("--partner", help="the partner organisation that brought the challenge")
    p.add_argument("--audience", action="append", help="who the module is for (repeat for several)")
    p.add_argument("--outcome", action="append", help='a learning outcome, "You can ..." (repeat; at least 2)')
    p.add_argument("--eqf", type=int, help="EQF level, 1 to 8")
    p.add_argument("--lang", help="language code of the module, e.g. en, de, el")
    p.add_argument("--duration", type=int, help="learning time in minutes")
    p.add_argument("--licence", help="licence of the module (default CC-BY-SA-4.0)")
    p.add_argument("--proposer", action="append", help="name of a proposer (repeat for several)")
    p.add_argument("-o", "--output", help="proposal file to write (default: proposals/<slug>.yml)")
    p.add_argument("--no-input", action="store_true", help="never ask; fail naming what is missing")
    p.set_defaults(func=run)


def _ask(question: str, many: bool) -> object:
    if not many:
        return input(f"{question}: ").strip() or None
    print(f"{question}:")
    out = []
    while True:
        line = input("  - ").strip()
        if not line:
            return out or None
        out.append(line)


def run(args) -> int:
    import sys

    from h4s_kit.new import slugify
    from h4s_kit.proposal import ProposalError, today, validate_proposal, write_proposal

    given = {"title": args.title, "challenge": args.challenge, "partner": args.partner, "audience": args.audience,
             "outcomes": args.outcome, "eqf_level": args.eqf, "language": args.lang,
             "duration_minutes": args.duration, "licence": args.licence, "proposers": args.proposer}
    ask = sys.stdin.isatty() and not args.no_input
    raw: dict = {}
    for field, flag, question, many in QUESTIONS:
        value = given[field]
        if value is None and ask:
            value = _ask(question, many)
            if field in ("eqf_level", "duration_minutes") and value is not None:
                try:
                    value = int(str(value))
                except ValueError:
                    raise ProposalError(f"{flag}: {value!r} is not a whole number") from None
        if value is not None:
            raw[field] = value
        elif field not in ("partner", "licence"):
            if not ask:
                raise ProposalError(f"the proposal needs {field}: give {flag} (run h4s propose --help for all options)")
    raw["date"] = today()
    p = validate_proposal(raw, "the proposal")
    out = args.output or f"proposals/{slugify(p.title) or 'proposal'}.yml"
    path = write_proposal(p, out)
    print(f"wrote {path}")
    print(f"  next: h4s new --from {path}")
    return 0
