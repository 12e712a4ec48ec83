"""`h4s check` (not built yet)."""


def add_parser(sub):
    p = sub.add_parser("check", help="check (not built yet)")
    p.set_defaults(func=lambda args: (print("h4s check: not built yet"), 2)[1])
