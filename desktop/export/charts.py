"""The report's charts, drawn with matplotlib: SVG for the HTML page, PNG for the
Markdown files and the window's Report view, from the same code.

matplotlib (and numpy under it) costs a few hundred milliseconds to import:
only this module imports it, and only a report that shows charts imports this
module. Figures are made with matplotlib's object API on the Agg/SVG canvases,
never through pyplot: no global figure state, safe on a worker thread.

The charts carry no post text: only times, counts, question numbers and
network names, so nothing a post says can end up in a label (matplotlib would
read ``$...$`` in one as mathematics).
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from datetime import UTC, datetime

from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.backends.backend_svg import FigureCanvasSVG
from matplotlib.figure import Figure
from matplotlib.ticker import FuncFormatter, MaxNLocator

NETWORK_COLOURS = {"x": "#3d4149", "mastodon": "#6364ff", "bluesky": "#1185fe"}
OTHER_COLOUR = "#9a9aa0"
LABELLED = "#d9a441"
INFERRED = "#efd9a6"
QUESTION_MARK = "#b0442c"


class Palette:
    def __init__(self, *, dark: bool = False) -> None:
        self.dark = dark
        self.text = "#e8e8ea" if dark else "#3d3d40"
        self.grid = "#3a3a3e" if dark else "#e2e2dc"
        self.background = "#1b1b1d" if dark else "#ffffff"


def _figure(width: float, height: float, palette: Palette) -> Figure:
    figure = Figure(figsize=(width, height), dpi=100, facecolor=palette.background)
    figure.set_layout_engine("constrained")
    return figure


def _style(axes, palette: Palette) -> None:
    axes.set_facecolor(palette.background)
    for side in ("top", "right"):
        axes.spines[side].set_visible(False)
    for side in ("left", "bottom"):
        axes.spines[side].set_color(palette.grid)
    axes.tick_params(colors=palette.text, labelsize=9)
    axes.yaxis.label.set_color(palette.text)
    axes.xaxis.label.set_color(palette.text)
    axes.grid(axis="y", color=palette.grid, linewidth=0.8)
    axes.set_axisbelow(True)


def _save(figure: Figure, fmt: str, dpi: float) -> bytes:
    canvas = FigureCanvasSVG(figure) if fmt == "svg" else FigureCanvasAgg(figure)
    buffer = io.BytesIO()
    # No date: the same report gives the same file.
    metadata = {"Date": None} if fmt == "svg" else {"Software": None}
    canvas.print_figure(
        buffer, format=fmt, dpi=dpi, metadata=metadata, facecolor=figure.get_facecolor()
    )
    return buffer.getvalue()


def _clock(ts: float) -> str:
    return datetime.fromtimestamp(ts, UTC).strftime("%H:%M")


def volume_chart(
    volume: Sequence[tuple[float, dict[str, int]]],
    questions: Sequence[tuple[int, float | None]],
    *,
    fmt: str = "svg",
    width: float = 9.0,
    height: float = 3.0,
    dpi: float = 100,
    dark: bool = False,
) -> bytes:
    """Posts per minute, stacked by network, the questions marked where they were
    asked. ``volume``: (minute start, {network: posts}); ``questions``:
    (number, asked at or None)."""
    palette = Palette(dark=dark)
    figure = _figure(width, height, palette)
    axes = figure.add_subplot()
    _style(axes, palette)
    start = volume[0][0] if volume else 0.0
    xs = [(minute - start) / 60 for minute, _nets in volume]
    totals = {}
    for _minute, nets in volume:
        for network, count in nets.items():
            totals[network] = totals.get(network, 0) + count
    bottom = [0] * len(volume)
    for network in sorted(totals, key=lambda n: -totals[n]):
        heights = [nets.get(network, 0) for _minute, nets in volume]
        axes.bar(
            xs,
            heights,
            width=1.0,
            bottom=bottom,
            align="edge",
            color=NETWORK_COLOURS.get(network, OTHER_COLOUR),
            linewidth=0,
            label=network,
        )
        bottom = [b + h for b, h in zip(bottom, heights, strict=True)]
    peak = max(bottom, default=0) or 1
    axes.set_ylim(0, peak * 1.18)
    for number, asked in questions:
        if asked is None or not volume:
            continue
        x = (asked - start) / 60
        axes.axvline(x, color=QUESTION_MARK, linewidth=1, linestyle=(0, (3, 2)))
        axes.text(
            x,
            peak * 1.16,
            f" Q{number}",
            color=QUESTION_MARK,
            fontsize=8,
            va="top",
            ha="left",
            parse_math=False,
        )
    axes.set_xlim(0, max(xs[-1] + 1 if xs else 1, 1))
    axes.xaxis.set_major_locator(MaxNLocator(nbins=10, steps=[1, 2, 3, 5, 6, 10]))
    axes.xaxis.set_major_formatter(FuncFormatter(lambda x, _pos: _clock(start + x * 60)))
    axes.yaxis.set_major_locator(MaxNLocator(nbins=5, integer=True))
    axes.set_ylabel("posts per minute", fontsize=9)
    axes.set_xlabel("time (UTC)", fontsize=9)
    if len(totals) > 1:
        legend = axes.legend(frameon=False, fontsize=8, loc="upper right", ncols=len(totals))
        for text in legend.get_texts():
            text.set_color(palette.text)
    return _save(figure, fmt, dpi)


def questions_chart(
    questions: Sequence[tuple[int, int, int]],
    *,
    fmt: str = "svg",
    width: float = 9.0,
    height: float = 2.6,
    dpi: float = 100,
    dark: bool = False,
) -> bytes:
    """Posts per question, labelled and inferred stacked. ``questions``:
    (number, labelled, inferred)."""
    palette = Palette(dark=dark)
    figure = _figure(width, height, palette)
    axes = figure.add_subplot()
    _style(axes, palette)
    labels = [f"Q{number}" for number, _l, _i in questions]
    labelled = [n for _q, n, _i in questions]
    inferred = [n for _q, _l, n in questions]
    positions = list(range(len(questions)))
    axes.bar(positions, labelled, color=LABELLED, width=0.7, label="labelled")
    axes.bar(positions, inferred, bottom=labelled, color=INFERRED, width=0.7, label="inferred")
    axes.set_xticks(positions, labels)
    axes.yaxis.set_major_locator(MaxNLocator(nbins=5, integer=True))
    axes.set_ylabel("posts", fontsize=9)
    legend = axes.legend(frameon=False, fontsize=8, loc="upper right", ncols=2)
    for text in legend.get_texts():
        text.set_color(palette.text)
    peak = max((a + b for a, b in zip(labelled, inferred, strict=True)), default=0) or 1
    axes.set_ylim(0, peak * 1.2)
    return _save(figure, fmt, dpi)
