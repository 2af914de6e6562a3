"""The three charts of a plan as PNG bytes, drawn headless with matplotlib's Agg canvas.

Each figure gets its own Agg canvas (no pyplot, no global backend, no rcParams changed), so drawing is safe in a
worker thread and leaves nothing behind. Fonts are matplotlib's own DejaVu Sans. Colours come from the Okabe-Ito
palette (readable by colour-blind readers) and every colour is doubled by something that survives greyscale
printing: a hatch pattern, a letter or shape in the cell, or a number written on the bar.
"""

from __future__ import annotations

import io
import textwrap
from dataclasses import dataclass
from typing import TYPE_CHECKING

from bot.charts.models import CoverageData, Picture, ProgressData, ThemeBar, ThemesData
from bot.domain import Status
from bot.messages import Catalogue, catalogue

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

DPI = 200
WIDTH_CM = 17.0  # the width the charts are drawn for: the A4 draft's text width is 18 cm (1.5 cm margins)
FONT = "DejaVu Sans"
TEXT_PT = 7.5
TITLE_PT = 9.0
LABEL_CHARS = 52  # a theme label wraps at this many characters; it is never cut
BAR_CM, LINE_CM = 0.25, 0.27  # the height a bar needs, and each line of its label
BAR_HIGH = 0.3  # a theme's bar, in centimetres
# Okabe & Ito (2008), without black (kept for text) and yellow (too light on white for a thin segment).
PALETTE = ("#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#999999", "#F0E442")
HATCHES = ("", "///", "...", "xxx", "\\\\\\", "ooo", "+++", "---")
MSE_COLOUR = "#222222"
# met / not met / unclear: dark blue, orange, light grey: three lightness steps, and a symbol in every cell.
STATUS_ORDER = (Status.met, Status.not_met, Status.unclear)
STATUS_COLOURS = {Status.met: "#0072B2", Status.not_met: "#E69F00", Status.unclear: "#EEEEEE"}
STATUS_SYMBOLS = {Status.met: "\u2713", Status.not_met: "\u2717", Status.unclear: "?"}
STATUS_TEXT = {Status.met: "white", Status.not_met: "black", Status.unclear: "black"}
FINISHED_COLOUR = "#0072B2"
STARTED_COLOUR = "#DDDDDD"


@dataclass(frozen=True)
class Chart:
    """One drawn chart: a short name (`themes`, `coverage`, `progress`), the PNG, and a sentence saying what it shows
    for readers who cannot see it (alt text)."""

    name: str
    png: bytes
    alt: str


def _figure(height_cm: float) -> Figure:
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    figure = Figure(figsize=(WIDTH_CM / 2.54, height_cm / 2.54), dpi=DPI, layout="constrained", facecolor="white")
    FigureCanvasAgg(figure)
    return figure


def _png(figure: Figure) -> bytes:
    """PNG bytes; no software or date stamp, so the same data always gives the same file."""
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=DPI, facecolor="white", metadata={"Software": None})
    return buffer.getvalue()


def wrap(text: str, width: int = LABEL_CHARS) -> str:
    """A label over several lines, every word kept (a word longer than a line is broken, not dropped)."""
    return "\n".join(textwrap.wrap(" ".join(text.split()), width=width, break_long_words=True)) or " "


def _label(messages: Catalogue, key: str, value: str) -> str:
    try:
        found = messages.raw(f"{key}.{value}")
    except KeyError:
        found = None
    return found if isinstance(found, str) else value.replace("_", " ").capitalize()


def _bars_style(ax: Axes, most: int, bottom: float, top: float) -> None:
    """Bars labelled directly (each carries its numbers), so no x axis, frame or grid takes room or ink."""
    for spine in ax.spines.values():
        spine.set_visible(False)
    ax.set_xticks([])
    ax.set_xlim(0, most * 1.3)  # room for the note at the end of the longest bar
    ax.set_ylim(bottom, top)  # the first bar at the top
    ax.tick_params(axis="y", length=0, labelsize=TEXT_PT)
    for label in ax.get_yticklabels():
        label.set_fontfamily(FONT)


def _actor_order(data: ThemesData) -> list[str]:
    """Actor types by how many people they bring to the charted themes, so the biggest segment comes first."""
    totals: dict[str, int] = {}
    for group in data.groups:
        for theme in group.themes:
            for actor, people in theme.actor_types.items():
                totals[actor] = totals.get(actor, 0) + people
    return sorted(totals, key=lambda actor: (-totals[actor], actor))


def themes_figure(data: ThemesData, messages: Catalogue | None = None) -> Figure:
    """Horizontal bars of people per theme, stacked by actor type, one panel per kind; under each bar a dark strip
    as long as its MSE people, and "5 people · 2 MSEs" at its end."""
    say = messages or catalogue()
    groups = [group for group in data.groups if group.themes]
    if not groups:
        raise ValueError("no themes to chart")
    actors = _actor_order(data)
    style = {a: (PALETTE[n % len(PALETTE)], HATCHES[n % len(HATCHES)]) for n, a in enumerate(actors)}
    labels = {id(t): wrap(t.label) for g in groups for t in g.themes}
    # y is in centimetres: each theme gets the height its label needs, so a two-line label never meets the next
    slots = {id(t): BAR_CM + LINE_CM * (labels[id(t)].count("\n") + 1) for g in groups for t in g.themes}
    ratios = [sum(slots[id(t)] for t in g.themes) for g in groups]
    figure = _figure(1.7 + 0.45 * len(groups) + sum(ratios))
    axes = figure.subplots(len(groups), 1, gridspec_kw={"height_ratios": ratios}, squeeze=False)[:, 0]
    most = max(t.people for g in groups for t in g.themes) or 1
    for ax, group in zip(axes, groups, strict=True):
        ys, top = [], 0.0
        for theme in group.themes:
            ys.append(top + slots[id(theme)] / 2)
            top += slots[id(theme)]
        for y, theme in zip(ys, group.themes, strict=True):
            _theme_bar(ax, y, theme, actors, style, most, say)
        ax.set_yticks(ys, [labels[id(t)] for t in group.themes])
        _bars_style(ax, most, top, 0.0)
        shown = len(group.themes)
        title = _label(say, "charts.kinds", group.kind)
        if group.hidden:
            title = say.text("charts.themes.top_of", kind=title, shown=shown, total=shown + group.hidden)
        ax.set_title(title, loc="left", fontsize=TITLE_PT, fontfamily=FONT, fontweight="bold", pad=3)
    _themes_legend(figure, actors, style, say)
    figure.suptitle(say.text("charts.themes.title"), x=0.01, ha="left", fontsize=TITLE_PT + 1, fontfamily=FONT)
    return figure


def _theme_bar(
    ax: Axes, y: float, theme: ThemeBar, actors: list[str], style: dict[str, tuple[str, str]], most: int, say: Catalogue
) -> None:
    """One theme's stacked bar, its counts on white tags, its MSE strip and its "5 people · 2 MSEs" note."""
    from matplotlib.patches import Rectangle

    left = 0
    for actor in actors:
        people = theme.actor_types.get(actor, 0)
        if not people:
            continue
        colour, hatch = style[actor]
        ax.barh(y, people, left=left, height=BAR_HIGH, color=colour, hatch=hatch, edgecolor="white", linewidth=0.8)
        if people / most > 0.035:  # the count on a white tag: readable on any fill or hatch
            ax.text(
                left + people / 2,
                y,
                str(people),
                ha="center",
                va="center",
                fontsize=TEXT_PT - 1,
                fontfamily=FONT,
                bbox={"boxstyle": "round,pad=0.18", "facecolor": "white", "edgecolor": "none"},
            )
        left += people
    if theme.mses:
        strip = (0, y + BAR_HIGH / 2 + 0.02)
        ax.add_patch(Rectangle(strip, theme.mses, 0.07, color=MSE_COLOUR, linewidth=0))
    note = say.text("charts.themes.bar_note", people=theme.people, mses=theme.mses)
    ax.text(
        max(left, theme.mses) + most * 0.015,
        y,
        note,
        va="center",
        ha="left",
        fontsize=TEXT_PT,
        fontfamily=FONT,
        color="#222222",
    )


def _themes_legend(figure: Figure, actors: list[str], style: dict[str, tuple[str, str]], say: Catalogue) -> None:
    from matplotlib.patches import Patch

    handles = [
        Patch(facecolor=style[a][0], hatch=style[a][1], edgecolor="white", label=_label(say, "engine.actor_types", a))
        for a in actors
    ]
    handles.append(Patch(facecolor=MSE_COLOUR, label=say.text("charts.themes.mse_legend")))
    figure.legend(
        handles=handles,
        loc="outside lower center",
        ncols=min(4, len(handles)),
        fontsize=TEXT_PT,
        frameon=False,
        prop={"family": FONT, "size": TEXT_PT},
    )


def coverage_figure(data: CoverageData, messages: Catalogue | None = None) -> Figure:
    """Initiatives × criteria: each cell coloured by its status and carrying the status's symbol (✓ ✗ ?)."""
    from matplotlib.colors import ListedColormap
    from matplotlib.patches import Patch

    say = messages or catalogue()
    if data.empty:
        raise ValueError("no initiatives to chart")
    rows = [wrap(row.title, 36) for row in data.rows]
    tallest = max(r.count("\n") + 1 for r in rows)  # the grid's rows are all as tall as the longest title
    height = 2.6 + len(rows) * max(0.6, 0.1 + LINE_CM * tallest)
    figure = _figure(height)
    ax = figure.subplots()
    index = {status: n for n, status in enumerate(STATUS_ORDER)}
    grid = [[index[row.statuses.get(c.id, Status.unclear)] for c in data.criteria] for row in data.rows]
    cmap = ListedColormap([STATUS_COLOURS[s] for s in STATUS_ORDER])
    ax.imshow(grid, cmap=cmap, vmin=-0.5, vmax=len(STATUS_ORDER) - 0.5, aspect="auto")
    for y, values in enumerate(grid):
        for x, value in enumerate(values):
            status = STATUS_ORDER[value]
            ax.text(
                x,
                y,
                STATUS_SYMBOLS[status],
                ha="center",
                va="center",
                fontsize=TITLE_PT + 1,
                fontfamily=FONT,
                color=STATUS_TEXT[status],
                fontweight="bold",
            )
    ax.set_xticks(range(len(data.criteria)), [wrap(c.label, 12) for c in data.criteria])
    ax.set_yticks(range(len(rows)), rows)
    ax.xaxis.tick_top()
    ax.set_xticks([x - 0.5 for x in range(1, len(data.criteria))], minor=True)
    ax.set_yticks([y - 0.5 for y in range(1, len(rows))], minor=True)
    ax.grid(which="minor", color="white", linewidth=2)
    ax.tick_params(which="both", length=0)
    for spine in ax.spines.values():
        spine.set_visible(False)
    ax.tick_params(axis="y", labelsize=TEXT_PT)
    ax.tick_params(axis="x", labelsize=TEXT_PT - 1)
    for label in (*ax.get_xticklabels(), *ax.get_yticklabels()):
        label.set_fontfamily(FONT)
    handles = [
        Patch(
            facecolor=STATUS_COLOURS[s],
            edgecolor="#999999",
            label=f"{STATUS_SYMBOLS[s]}  {say.text(f'charts.coverage.statuses.{s.value}')}",
        )
        for s in STATUS_ORDER
    ]
    figure.legend(
        handles=handles, loc="outside lower center", ncols=3, frameon=False, prop={"family": FONT, "size": TEXT_PT}
    )
    title = say.text("charts.coverage.title" if data.accepted else "charts.coverage.title_proposed")
    figure.suptitle(title, x=0.01, ha="left", fontsize=TITLE_PT + 1, fontfamily=FONT)
    return figure


def progress_figure(data: ProgressData, messages: Catalogue | None = None) -> Figure:
    """Per actor type, a light hatched bar of those who started the interview with a dark bar of those who
    finished over it, and "3 of 4 finished" at its end."""
    from matplotlib.patches import Patch

    say = messages or catalogue()
    rows = sorted((r for r in data.rows if r.started), key=lambda r: (-r.started, r.actor_type))
    if not rows:
        raise ValueError("nobody started an interview")
    figure = _figure(1.5 + 0.4 * len(rows))
    ax = figure.subplots()
    most = max(r.started for r in rows)
    ys = list(range(len(rows)))
    for y, row in zip(ys, rows, strict=True):
        ax.barh(y, row.started, height=0.6, color=STARTED_COLOUR, hatch="///", edgecolor="#888888", linewidth=0.6)
        if row.finished:
            ax.barh(y, row.finished, height=0.6, color=FINISHED_COLOUR, edgecolor="white", linewidth=0.6)
        ax.text(
            row.started + most * 0.015,
            y,
            say.text("charts.progress.bar_note", finished=row.finished, started=row.started),
            va="center",
            fontsize=TEXT_PT,
            fontfamily=FONT,
        )
    ax.set_yticks(ys, [wrap(_label(say, "engine.actor_types", r.actor_type), 30) for r in rows])
    _bars_style(ax, most, len(rows) - 0.45, -0.55)
    handles = [Patch(facecolor=FINISHED_COLOUR, edgecolor="white", label=say.text("charts.progress.finished"))]
    if any(r.started > r.finished for r in rows):  # a legend entry for a bar nobody has would only puzzle
        handles.append(
            Patch(facecolor=STARTED_COLOUR, hatch="///", edgecolor="#888888", label=say.text("charts.progress.started"))
        )
    figure.legend(
        handles=handles, loc="outside lower center", ncols=2, frameon=False, prop={"family": FONT, "size": TEXT_PT}
    )
    finished, started = sum(r.finished for r in rows), sum(r.started for r in rows)
    figure.suptitle(
        say.text("charts.progress.title", finished=finished, started=started),
        x=0.01,
        ha="left",
        fontsize=TITLE_PT + 1,
        fontfamily=FONT,
    )
    return figure


def themes_chart(data: ThemesData, messages: Catalogue | None = None) -> bytes:
    return _png(themes_figure(data, messages))


def coverage_chart(data: CoverageData, messages: Catalogue | None = None) -> bytes:
    return _png(coverage_figure(data, messages))


def progress_chart(data: ProgressData, messages: Catalogue | None = None) -> bytes:
    return _png(progress_figure(data, messages))


def draw(picture: Picture, messages: Catalogue | None = None) -> list[Chart]:
    """The charts there is something to draw for, in reading order: themes, coverage, progress."""
    say = messages or catalogue()
    charts: list[Chart] = []
    if not picture.themes.empty:
        shown = [t for g in picture.themes.groups for t in g.themes]
        top = max(shown, key=lambda t: t.people)
        alt = say.text("charts.themes.alt", n=len(shown), top=" ".join(top.label.split()), people=top.people)
        charts.append(Chart("themes", themes_chart(picture.themes, say), alt))
    if not picture.coverage.empty:
        cells = [s for row in picture.coverage.rows for s in row.statuses.values()]
        alt = say.text(
            "charts.coverage.alt",
            n=len(picture.coverage.rows),
            met=cells.count(Status.met),
            not_met=cells.count(Status.not_met),
            unclear=len(picture.coverage.rows) * len(picture.coverage.criteria)
            - cells.count(Status.met)
            - cells.count(Status.not_met),
        )
        charts.append(Chart("coverage", coverage_chart(picture.coverage, say), alt))
    if not picture.progress.empty:
        rows = picture.progress.rows
        alt = say.text(
            "charts.progress.alt", finished=sum(r.finished for r in rows), started=sum(r.started for r in rows)
        )
        charts.append(Chart("progress", progress_chart(picture.progress, say), alt))
    return charts
