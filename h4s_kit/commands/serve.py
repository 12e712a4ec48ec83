"""`h4s serve` (not built yet)."""


def add_parser(sub):
    p = sub.add_parser("serve", help="serve (not built yet)")
    p.set_defaults(func=lambda args: (print("h4s serve: not built yet"), 2)[1])
