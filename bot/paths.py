"""Where planbot's data lives: the one module that turns `prompts/` and `knowledge/` into paths.

In the repository both directories stay top-level, beside `bot/`. A wheel carries them inside the package, as
`bot/_data/prompts` and `bot/_data/knowledge` (the `build_py` step in `bot/_build.py` puts them there), so that
`pip install planbot` starts from any directory. This module finds them through `importlib.resources` when they
are packaged and falls back to the checkout's layout (a clone, or an editable install).

A deployment may bring its own guidance: `PLANBOT_KNOWLEDGE_DIR` names a directory whose files win over the
packaged ones of the same name (a file it lacks still comes from the package). The paths are resolved once, at
import, because the modules that read these files take them as module-level defaults.
"""

from __future__ import annotations

from importlib.resources import files
from pathlib import Path

from pydantic import DirectoryPath, ValidationError, field_validator
from pydantic_settings import BaseSettings

from bot.settings import Settings

PACKAGED_DATA = "_data"  # the folder inside the installed `bot` package that holds prompts/ and knowledge/


def package_root() -> Path:
    """The installed (or checked-out) `bot` package as a real directory: the data files are read as paths."""
    root = files("bot")
    if not isinstance(root, Path):  # a zip import: no directory to read YAML, NPZ and Markdown files from
        raise RuntimeError(f"planbot must be installed as files, not imported from {root}")
    return root


def data_dir(name: str) -> Path:
    """`prompts` or `knowledge`: the packaged copy in a wheel install, else the checkout's top-level folder."""
    packaged = package_root() / PACKAGED_DATA / name
    if packaged.is_dir():
        return packaged
    return package_root().parent / name


class _KnowledgeDirSetting(BaseSettings):
    """PLANBOT_KNOWLEDGE_DIR read on its own, with Settings' field and sources, so an import never fails on
    another variable (`load_settings` reports any bad setting, this one included, when a command starts)."""

    model_config = Settings.model_config
    knowledge_dir: DirectoryPath | None = Settings.model_fields["knowledge_dir"]

    @field_validator("knowledge_dir", mode="before")
    @classmethod
    def _empty_is_none(cls, value: object) -> object:
        return None if isinstance(value, str) and not value.strip() else value


def configured_knowledge_dir() -> Path | None:
    """The deployment's own knowledge directory, when PLANBOT_KNOWLEDGE_DIR names one."""
    try:
        return _KnowledgeDirSetting().knowledge_dir
    except ValidationError:  # not a folder: `load_settings` names the variable when the command starts
        return None


PROMPTS_DIR = data_dir("prompts")
KNOWLEDGE_DIR = data_dir("knowledge")  # the packaged guidance, rubric, patterns, topics, heads and corpus
OWN_KNOWLEDGE_DIR = configured_knowledge_dir()
EVAL_DATASETS_DIR = package_root().parent / "evals" / "datasets"  # dev-only: in a checkout, never in a wheel


def knowledge_path(relative: str) -> Path:
    """A file or folder under knowledge/ (e.g. "criteria.yaml", "heads"): the deployment's own when it has
    one, else the packaged one."""
    if OWN_KNOWLEDGE_DIR is not None:
        own = OWN_KNOWLEDGE_DIR / relative
        if own.exists():
            return own
    return KNOWLEDGE_DIR / relative
