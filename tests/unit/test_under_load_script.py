"""scripts/test-under-load.sh: runs a command N times beside a busy loop, stops at the first failure, and
always stops its load."""

from __future__ import annotations

import os
import re
import subprocess
from pathlib import Path

SCRIPT = Path(__file__).resolve().parents[2] / "scripts" / "test-under-load.sh"


def _run(command: str, runs: int) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "TEST_CMD": command, "RUNS": str(runs), "LOAD_CPUS": "1"}
    return subprocess.run(["bash", str(SCRIPT)], env=env, capture_output=True, text=True, timeout=120)


def _alive(pids: list[int]) -> list[int]:
    alive = []
    for pid in pids:
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            continue
        alive.append(pid)
    return alive


def test_every_run_passes_beside_the_load_and_the_load_is_stopped() -> None:
    done = _run("true", 2)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "== run 2 of 2 passed under load" in done.stdout and "2 of 2 runs passed" in done.stdout
    pids = [int(p) for p in re.findall(r"pids? ([\d ]+)\)", done.stdout)[0].split()]
    assert pids and not _alive(pids)


def test_a_failing_run_stops_the_script_with_an_error() -> None:
    done = _run("false", 3)
    assert done.returncode == 1
    assert "run 1 of 3 FAILED under load" in done.stdout and "run 2" not in done.stdout
