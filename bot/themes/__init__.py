"""Themes: near-duplicate stakeholder inputs grouped with embeddings, ranked by how many raised them."""

from bot.themes.answering import ANSWER_THRESHOLD, answering
from bot.themes.clustering import DEFAULT_THRESHOLD, cluster, shorten
from bot.themes.labels import LABEL_MAX_CHARS
from bot.themes.mentions import Mention, mentions, names
from bot.themes.models import Theme, ThemeItem

__all__ = [
    "ANSWER_THRESHOLD",
    "DEFAULT_THRESHOLD",
    "LABEL_MAX_CHARS",
    "Mention",
    "Theme",
    "ThemeItem",
    "answering",
    "cluster",
    "mentions",
    "names",
    "shorten",
]
