"""Figures in modules: every figure gets alt text and a caption.

``show_figure(fig, alt="...", caption="...")`` displays a matplotlib figure as
an HTML ``<figure>`` with an inline SVG image and its alt text, which works
in JupyterLab, Voilà, the static book and SCORM alike.
"""
from __future__ import annotations

import base64
import html
import io

from h4s_widgets._errors import H4SError


def figure_html(fig, alt: str, caption: str | None = None, credit: str | None = None) -> str:
    if not alt or not alt.strip():
        raise H4SError("show_figure: 'alt' is required: describe what the figure shows for people who cannot see it")
    buf = io.BytesIO()
    fig.savefig(buf, format="svg", bbox_inches="tight")
    data = base64.b64encode(buf.getvalue()).decode("ascii")
    cap = ""
    if caption or credit:
        cap = "<figcaption>" + html.escape(caption or "") + (
            f' <small class="h4s-credit">{html.escape(credit)}</small>' if credit else "") + "</figcaption>"
    return (f'<figure class="h4s-figure"><img src="data:image/svg+xml;base64,{data}" alt="{html.escape(alt)}" '
            f'style="max-width:100%;height:auto">{cap}</figure>')


def show_figure(fig, alt: str, caption: str | None = None, credit: str | None = None) -> None:
    """Display ``fig`` with alt text (required), an optional caption and credit, then close it."""
    from IPython.display import HTML, display
    import matplotlib.pyplot as plt
    display(HTML(figure_html(fig, alt, caption, credit)))
    plt.close(fig)
