"""`h4s import` (not built yet)."""


def add_parser(sub):
    p = sub.add_parser("import", help="import (not built yet)")
    p.set_defaults(func=lambda args: (print("h4s import: not built yet"), 2)[1])
