"""Small learned heads on the packaged sentence vectors: what the offline checker and extractor decide with.

Trained by `planbot train` from `knowledge/training/`, stored as plain arrays under `knowledge/heads/`, applied
with numpy alone (no scikit-learn at run time, no download, no pickle).
"""

from bot.learning.heads import HEADS_DIR, HeadSet, LinearHead, load_heads

__all__ = ["HEADS_DIR", "HeadSet", "LinearHead", "load_heads"]
