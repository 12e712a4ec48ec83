"""h4s_kit: the authoring pipeline (new, check, build, serve, export, import, report, records)."""
from h4s_widgets._version import __version__

__all__ = ["__version__"]
