"""`h4s review MODULE`: the reviewer's report (HTML and Markdown) and, with --decision, the recorded review."""
from __future__ import annotations

import sys


def add_parser(sub):
    p = sub.add_parser("review", help="write a reviewer's report of a module; record a review decision",
                       description="Run every check on the module and write a reviewer's report (every finding "
                                   "and the rubric: accuracy, inclusiveness, alignment, licences) as HTML and "
                                   "Markdown; a draft moves to 'review'. With --decision, record the review in "
                                   "the module's metadata: accept publishes the version (refused while a check "
                                   "fails or a rubric item is not passed); revise or reject send it back to draft.")
    p.add_argument("module", help="the module folder, e.g. modules/04-open-educational-resources")
    p.add_argument("-o", "--output", default="_build/reviews", help="folder for the report (default _build/reviews)")
    p.add_argument("--decision", choices=("accept", "revise", "reject"), help="record this decision")
    p.add_argument("--reviewer", help="who reviewed (a name; required with --decision)")
    p.add_argument("--role", help='in what role, e.g. "peer reviewer, VET trainer" (required with --decision)')
    p.add_argument("--rubric", action="append", default=[], metavar="ITEM=pass|fail",
                   help="a rubric verdict: accuracy, inclusiveness, alignment, licences (repeat)")
    p.add_argument("--no-exec", action="store_true", help="do not run the notebook (not enough to accept)")
    p.set_defaults(func=run)


def run(args) -> int:
    from h4s_kit.review import ReviewError, parse_rubric, record_decision, review_report, start_review, write_report

    rubric = parse_rubric(args.rubric)
    if args.decision == "accept" and args.no_exec:
        raise ReviewError("--no-exec cannot accept: a module is published only after it ran to the end; "
                          "leave out --no-exec")
    report = review_report(args.module, execute=not args.no_exec,
                           progress=lambda s: print(s, file=sys.stderr, flush=True))
    paths = write_report(report, args.output)
    print(f"report: {paths[1]} and {paths[0]}: {len(report.errors)} error(s), {len(report.warnings)} warning(s)")
    if not args.decision:
        if report.meta is not None:
            print(f"status: {start_review(args.module)}")
        return 1 if report.errors else 0
    review = record_decision(report, args.decision, args.reviewer or "", args.role or "", rubric)
    status = "published" if review.decision == "accept" else "draft"
    print(f"recorded: {review.decision} of version {review.version} by {review.reviewer} ({review.role}), "
          f"{review.date}; status: {status}")
    return 0
