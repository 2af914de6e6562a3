"""The three charts of the demo plan as a facilitator sees them: real pictures (not blank), every label shown whole,
and readable in greyscale (statuses differ in lightness and carry distinct symbols)."""

from __future__ import annotations

import io
from itertools import combinations

import numpy as np
import pytest
from matplotlib.figure import Figure
from PIL import Image

from bot.charts import (
    CoverageData,
    CoverageRow,
    CriterionName,
    Picture,
    ProgressData,
    ProgressRow,
    ThemeBar,
    ThemeGroup,
    ThemesData,
    coverage_figure,
    draw,
    progress_figure,
    themes_figure,
)
from bot.charts.draw import DPI, WIDTH_CM
from bot.domain import CriterionId, Status
from bot.messages import catalogue

pytestmark = pytest.mark.slow

LONG = (
    "the road from the main town to the reef beach is washed away every rainy season and the boat guides lose "
    "three months of trips, so guesthouses on the far side of the bay close until October"
)


def _words(text: str) -> str:
    """Text as one line: a label wrapped after a hyphen ("Industry-" / "wide") reads as it was written."""
    return " ".join(text.replace("-\n", "-").split())


def _texts(figure: Figure) -> list:
    """Every piece of text drawn: tick labels, texts on the axes, titles, legend entries."""
    found = []
    for ax in figure.axes:
        found += [*ax.get_xticklabels(), *ax.get_yticklabels(), *ax.texts, ax.title, ax._left_title]
    found += list(figure.texts)
    if figure._suptitle is not None:
        found.append(figure._suptitle)
    for legend in figure.legends:
        found += legend.get_texts()
    return [t for t in found if t.get_text().strip() and t.get_visible()]


def _shown(figure: Figure) -> list[str]:
    figure.canvas.draw()
    return [_words(t.get_text()) for t in _texts(figure)]


def _assert_inside_and_apart(figure: Figure) -> None:
    """No text runs off the picture, and no two tick labels of one axis overlap."""
    figure.canvas.draw()
    renderer = figure.canvas.get_renderer()
    page = figure.bbox
    for text in _texts(figure):
        box = text.get_window_extent(renderer)
        assert box.x0 >= page.x0 - 1 and box.x1 <= page.x1 + 1, f"cut left/right: {text.get_text()!r}"
        assert box.y0 >= page.y0 - 1 and box.y1 <= page.y1 + 1, f"cut top/bottom: {text.get_text()!r}"
    for ax in figure.axes:
        for labels in (ax.get_xticklabels(), ax.get_yticklabels()):
            boxes = [(t.get_text(), t.get_window_extent(renderer)) for t in labels if t.get_text().strip()]
            for (a, box_a), (b, box_b) in combinations(boxes, 2):
                assert not box_a.overlaps(box_b), f"labels overlap: {a!r} and {b!r}"


def _image(png: bytes) -> Image.Image:
    return Image.open(io.BytesIO(png))


def test_the_demo_plan_gives_three_real_pictures(picture: Picture) -> None:
    charts = draw(picture)
    assert [c.name for c in charts] == ["themes", "coverage", "progress"]
    for chart in charts:
        assert chart.png.startswith(b"\x89PNG\r\n\x1a\n")
        assert 15_000 < len(chart.png) < 1_500_000, (chart.name, len(chart.png))
        image = _image(chart.png)
        assert abs(image.size[0] - WIDTH_CM / 2.54 * DPI) <= 1, chart.name  # drawn for the page's text width
        assert 250 < image.size[1] < 2400, (chart.name, image.size)
        grey = np.asarray(image.convert("L"), dtype=float)
        assert grey.std() > 20, f"{chart.name} looks blank (pixel std {grey.std():.1f})"
        assert (grey < 100).mean() > 0.01, f"{chart.name} has almost no dark ink"
        assert chart.alt.strip() and len(chart.alt) < 400


def test_the_same_plan_draws_the_same_bytes(picture: Picture) -> None:
    assert [c.png for c in draw(picture)] == [c.png for c in draw(picture)]  # export twice: the same document


def test_every_charted_theme_is_labelled_whole_with_its_counts(picture: Picture) -> None:
    assert not picture.themes.empty
    figure = themes_figure(picture.themes)
    shown = _shown(figure)
    say = catalogue()
    for group in picture.themes.groups:
        for theme in group.themes:
            assert _words(theme.label) in shown, theme.label  # the whole label, wrapped, not cut
            assert say.text("charts.themes.bar_note", people=theme.people, mses=theme.mses) in shown
    actors = {a for g in picture.themes.groups for t in g.themes for a in t.actor_types}
    for actor in actors:  # the legend names every actor type in the catalogue's words
        assert say.text(f"engine.actor_types.{actor}") in shown
    assert say.text("charts.themes.mse_legend") in shown
    _assert_inside_and_apart(figure)


def test_a_very_long_theme_label_wraps_and_is_not_cut() -> None:
    data = ThemesData(
        groups=[
            ThemeGroup(
                kind="constraint",
                themes=[
                    ThemeBar(label=LONG, people=12, mses=7, actor_types={"tourism": 5, "service": 4, "producer": 3}),
                    ThemeBar(label="no ice", people=1, actor_types={"producer": 1}),
                ],
                hidden=4,
            )
        ]
    )
    figure = themes_figure(data)
    shown = _shown(figure)
    assert _words(LONG) in shown
    assert any("\n" in t.get_text() for t in figure.axes[0].get_yticklabels())  # wrapped over lines
    assert catalogue().text("charts.themes.top_of", kind="Constraints", shown=2, total=6) in shown
    _assert_inside_and_apart(figure)


def test_the_coverage_grid_names_every_initiative_and_criterion(picture: Picture) -> None:
    coverage = picture.coverage
    assert coverage.accepted and len(coverage.criteria) == 8
    figure = coverage_figure(coverage)
    shown = _shown(figure)
    for row in coverage.rows:
        assert _words(row.title) in shown
    for criterion in coverage.criteria:
        assert _words(criterion.label) in shown
    _assert_inside_and_apart(figure)


def _cell_greys(figure: Figure, data: CoverageData) -> dict[Status, set[int]]:
    """The greyscale value of each cell (sampled beside its symbol), by the cell's status."""
    figure.canvas.draw()
    ax = figure.axes[0]
    grey = np.asarray(Image.frombuffer("RGBA", figure.canvas.get_width_height(), figure.canvas.buffer_rgba()))
    grey = np.asarray(Image.fromarray(grey).convert("L"))
    height = grey.shape[0]
    found: dict[Status, set[int]] = {}
    for y, row in enumerate(data.rows):
        for x, criterion in enumerate(data.criteria):
            px, py = ax.transData.transform((x - 0.33, y))
            found.setdefault(row.statuses.get(criterion.id, Status.unclear), set()).add(
                int(grey[int(height - py), int(px)])
            )
    return found


def test_statuses_read_in_greyscale_by_lightness_and_symbol() -> None:
    criteria = [CriterionName(id=c, label=c.value.replace("_", " ")) for c in CriterionId]
    statuses = [Status.met, Status.not_met, Status.unclear]
    data = CoverageData(
        criteria=criteria,
        rows=[
            CoverageRow(
                title=f"{n}. initiative {n}",
                statuses={c.id: statuses[(i + n) % 3] for i, c in enumerate(criteria)},
            )
            for n in range(1, 4)
        ],
    )
    figure = coverage_figure(data)
    greys = _cell_greys(figure, data)
    assert set(greys) == set(statuses)
    for status, values in greys.items():
        assert len(values) == 1, f"{status}: cells of one status differ ({values})"
    levels = {status: values.pop() for status, values in greys.items()}
    for a, b in combinations(statuses, 2):
        assert abs(levels[a] - levels[b]) >= 40, f"{a} and {b} look alike in greyscale: {levels}"
    symbols: dict[str, set[str]] = {}
    for y, row in enumerate(data.rows):
        for x, criterion in enumerate(data.criteria):
            (text,) = [t for t in figure.axes[0].texts if t.get_position() == (x, y)]
            symbols.setdefault(row.statuses[criterion.id].value, set()).add(text.get_text())
    assert all(len(s) == 1 for s in symbols.values()) and len({s.pop() for s in symbols.values()}) == 3


def test_actor_types_differ_by_hatch_or_lightness_not_only_by_hue(picture: Picture) -> None:
    figure = themes_figure(picture.themes)
    handles = figure.legends[0].legend_handles
    looks = []
    for patch in handles:
        r, g, b, _ = patch.get_facecolor()
        looks.append((patch.get_hatch() or "", round(255 * (0.299 * r + 0.587 * g + 0.114 * b) / 25)))
    assert len(set(looks)) == len(looks), looks


def test_progress_shows_who_finished_and_who_is_still_going(picture: Picture) -> None:
    rows = {row.actor_type: row for row in picture.progress.rows}
    assert rows["trader"].started == 1 and rows["trader"].finished == 0  # the stakeholder who stopped early
    assert sum(r.finished for r in rows.values()) == sum(r.started for r in rows.values()) - 1
    figure = progress_figure(picture.progress)
    shown = _shown(figure)
    say = catalogue()
    for row in picture.progress.rows:
        assert say.text("engine.actor_types." + row.actor_type) in shown
        assert say.text("charts.progress.bar_note", finished=row.finished, started=row.started) in shown
    assert say.text("charts.progress.started") in shown  # the legend names the bar of those still going
    _assert_inside_and_apart(figure)
    done = ProgressData(rows=[ProgressRow(actor_type="producer", started=2, finished=2)])
    assert say.text("charts.progress.started") not in _shown(progress_figure(done))  # nobody is still going


def test_a_plan_with_nothing_to_chart_draws_nothing() -> None:
    assert draw(Picture()) == []
    only = Picture(progress=ProgressData(rows=[ProgressRow(actor_type="producer", started=2, finished=1)]))
    assert [c.name for c in draw(only)] == ["progress"]


def test_the_charts_speak_the_catalogues_language() -> None:
    data = ThemesData(groups=[ThemeGroup(kind="constraint", themes=[ThemeBar(label="x", people=2, mses=1)])])
    shown = _shown(themes_figure(data, catalogue("fr")))
    assert catalogue("fr").text("charts.kinds.constraint") in shown
    assert catalogue("fr").text("charts.themes.bar_note", people=2, mses=1) in shown
