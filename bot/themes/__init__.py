"""Themes: near-duplicate stakeholder inputs grouped with embeddings, ranked by how many raised them."""

from bot.themes.clustering import DEFAULT_THRESHOLD, LABEL_MAX_CHARS, cluster, shorten
from bot.themes.models import Theme, ThemeItem

__all__ = ["DEFAULT_THRESHOLD", "LABEL_MAX_CHARS", "Theme", "ThemeItem", "cluster", "shorten"]
