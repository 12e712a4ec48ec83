"""`h4s build` (not built yet)."""


def add_parser(sub):
    p = sub.add_parser("build", help="build (not built yet)")
    p.set_defaults(func=lambda args: (print("h4s build: not built yet"), 2)[1])
