"""`h4s lab`: JupyterLab for authoring, with the configuration the kit ships (h4s_kit/assets/jupyterlab/)."""
from __future__ import annotations


def add_parser(sub):
    p = sub.add_parser(
        "lab", help="start JupyterLab for authoring (the panels; nothing loaded from other hosts)",
        description="Start JupyterLab with the kit's configuration: it listens on this computer only, shows no "
                    "news feed and makes no update checks. Put the authoring panels (h4s_kit.authoring) in a "
                    "notebook cell. Arguments after -- go to JupyterLab unchanged.")
    p.add_argument("--port", type=int, default=8888, help="port (default 8888)")
    p.add_argument("--no-browser", action="store_true", help="do not open a web browser")
    p.add_argument("lab_args", nargs="*", metavar="-- ARGS", help="more arguments for jupyter lab")
    p.set_defaults(func=run)


def run(args) -> int:
    from h4s_kit.lab import lab_command, run_lab
    return run_lab(lab_command(port=args.port, open_browser=not args.no_browser, extra=args.lab_args))
