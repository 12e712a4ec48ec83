"""The report's plots: inline SVG (matplotlib, imported when a plot is drawn)."""
from __future__ import annotations

import base64
import html
import io
import statistics

from .analysis import ModuleStats, facility_words

# -------------------------------------------------------------------- plots
def _svg_img(fig, alt: str) -> str:
    buf = io.StringIO()
    fig.savefig(buf, format="svg", bbox_inches="tight")
    data = base64.b64encode(buf.getvalue().encode("utf-8")).decode("ascii")
    return f'<img src="data:image/svg+xml;base64,{data}" alt="{html.escape(alt)}">'


def score_plot(ms: ModuleStats) -> tuple[str, str]:
    from matplotlib.figure import Figure
    scores = [100 * s for s in ms.scores()]
    fig = Figure(figsize=(6.4, 2.9))
    ax = fig.subplots()
    bins = list(range(0, 101, 10))
    counts = [0] * 10
    for s in scores:
        counts[min(9, max(0, int(s // 10)))] += 1
    ax.bar([b + 5 for b in bins[:-1]], counts, width=9, color="#3b6ea8", edgecolor="white")
    if ms.pass_mark is not None:
        ax.axvline(100 * ms.pass_mark, color="#b3261e", linestyle="--", linewidth=2)
        ax.text(100 * ms.pass_mark + 1, max(counts or [1]) * 0.95, f"pass mark {100 * ms.pass_mark:.0f} %",
                color="#b3261e", fontsize=10, va="top")
    ax.set_xlim(0, 100)
    ax.set_xlabel("Score (% of points)", fontsize=11)
    ax.set_ylabel("Learners", fontsize=11)
    ax.yaxis.get_major_locator().set_params(integer=True)
    ax.spines[["top", "right"]].set_visible(False)
    n = len(scores)
    if n:
        med = statistics.median(scores)
        alt = (f"Bar chart of the scores of the {n} learners who completed {ms.title}: median {med:.0f} %, "
               f"lowest {min(scores):.0f} %, highest {max(scores):.0f} %. " +
               "; ".join(f"{bins[i]}–{bins[i + 1]} %: {c}" for i, c in enumerate(counts) if c))
    else:
        alt = f"No learner has completed {ms.title} yet, so there is no score to show."
    return _svg_img(fig, alt), alt


def facility_plot(ms: ModuleStats) -> tuple[str, str]:
    from matplotlib.figure import Figure
    qs = [q for q in ms.questions if q.facility is not None]
    h = max(1.6, 0.42 * len(qs) + 1.0)
    fig = Figure(figsize=(6.4, h))
    ax = fig.subplots()
    for lo, hi, col in ((0, 0.4, "#fbe3e1"), (0.4, 0.7, "#fff4d6"), (0.7, 1.0, "#e3f1e4")):
        ax.axvspan(lo, hi, color=col, zorder=0)
    labels = [q.id for q in qs][::-1]
    vals = [q.facility for q in qs][::-1]
    colours = ["#b3261e" if v < 0.4 else "#8a6100" if v < 0.7 else "#2e6b34" for v in vals]
    ax.barh(labels, vals, color=colours, zorder=2)
    for y, v in enumerate(vals):
        ax.text(min(v + 0.01, 0.9), y, f"{v:.2f}", va="center", fontsize=10, zorder=3)
    ax.set_xlim(0, 1)
    ax.set_xlabel("Facility index (share of points on the first attempt)", fontsize=11)
    ax.tick_params(axis="y", labelsize=10)
    ax.spines[["top", "right"]].set_visible(False)
    alt = (f"Horizontal bar chart of the facility index of the {len(qs)} questions of {ms.title}. " +
           "; ".join(f"{q.id}: {q.facility:.2f} ({facility_words(q.facility).split(':')[0]})" for q in qs))
    return _svg_img(fig, alt), alt
