"""PLANBOT_KNOWLEDGE_DIR: a deployment's own guidance replaces the packaged one; a wrong folder stops planbot.

Each case is a fresh `planbot` process, because the data paths are resolved when planbot starts.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

PLANBOT = Path(sys.executable).with_name("planbot")
OWN_GUIDANCE = """# County livestock guidance

An aggregation point is a place where many producers meet buyers at once. In this county the aggregation point
that matters most is the Saturday livestock market at Ndumberi, where traders from six wards buy goats and cattle.
"""


def _planbot(*args: str, cwd: Path, knowledge_dir: Path) -> subprocess.CompletedProcess[str]:
    env = {key: value for key, value in os.environ.items() if not key.startswith("PLANBOT_")}
    env.pop("DATABASE_URL", None)
    env.update(HF_HUB_OFFLINE="1", PLANBOT_KNOWLEDGE_DIR=str(knowledge_dir), PLANBOT_DATA_DIR=str(cwd / "data"))
    return subprocess.run([str(PLANBOT), *args], cwd=cwd, env=env, capture_output=True, text=True, timeout=600)


@pytest.mark.slow
@pytest.mark.model
def test_ask_quotes_the_deployments_own_guidance(tmp_path: Path) -> None:
    own = tmp_path / "county-knowledge"
    own.mkdir()
    (own / "upgrading-plan-guidance.md").write_text(OWN_GUIDANCE, encoding="utf-8")
    done = _planbot("ask", "what is an aggregation point?", cwd=tmp_path, knowledge_dir=own)
    assert done.returncode == 0, done.stderr[-3000:]
    assert "Saturday livestock market at Ndumberi" in done.stdout, done.stdout
    assert "processing firm that buys from large numbers of producers" not in done.stdout  # the packaged text


def test_a_knowledge_dir_that_is_not_a_folder_stops_planbot_with_its_name(tmp_path: Path) -> None:
    done = _planbot("ask", "what is an aggregation point?", cwd=tmp_path, knowledge_dir=tmp_path / "missing")
    assert done.returncode == 2, (done.stdout[-2000:], done.stderr[-3000:])
    assert "PLANBOT_KNOWLEDGE_DIR" in done.stderr and "Traceback" not in done.stderr, done.stderr[-3000:]
