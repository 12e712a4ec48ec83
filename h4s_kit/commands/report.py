"""`h4s report` (not built yet)."""


def add_parser(sub):
    p = sub.add_parser("report", help="report (not built yet)")
    p.set_defaults(func=lambda args: (print("h4s report: not built yet"), 2)[1])
