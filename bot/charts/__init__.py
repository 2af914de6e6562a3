"""The facilitator's picture of a plan: who raised which theme, how the initiatives cover the criteria, and how far
the interviews got, drawn as PNG charts from plain data (bot.charts.models) for the draft and the bot."""

from __future__ import annotations

from bot.charts.draw import (
    Chart,
    coverage_chart,
    coverage_figure,
    draw,
    progress_chart,
    progress_figure,
    themes_chart,
    themes_figure,
)
from bot.charts.models import (
    CoverageData,
    CoverageRow,
    CriterionName,
    Picture,
    ProgressData,
    ProgressRow,
    ThemeBar,
    ThemeGroup,
    ThemesData,
)

__all__ = [
    "Chart",
    "CoverageData",
    "CoverageRow",
    "CriterionName",
    "Picture",
    "ProgressData",
    "ProgressRow",
    "ThemeBar",
    "ThemeGroup",
    "ThemesData",
    "coverage_chart",
    "coverage_figure",
    "draw",
    "progress_chart",
    "progress_figure",
    "themes_chart",
    "themes_figure",
]
