"""Capture of stakeholder inputs: a message split into atomic inputs, each classified into a kind or none."""

from bot.capture.extractor import OfflineExtractor
from bot.capture.lexicon import CaptureLexicon, load_lexicon
from bot.capture.splitter import Segment, split_message, summarise

__all__ = ["CaptureLexicon", "OfflineExtractor", "Segment", "load_lexicon", "split_message", "summarise"]
