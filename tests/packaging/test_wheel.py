"""planbot built as a wheel and installed without `-e` works from any directory: ask, check and demo.

The wheels (planbot's, and the testkit's that `planbot demo` plays its workshop through) are built from a copy of
the source tree (so stale `build/` output of the checkout cannot leak into them) and installed, without their
dependencies, into a fresh venv that sees the dev venv's site-packages through a `.pth` file: nothing is
downloaded, and the code that runs is the wheels', not the checkout's. The planbot wheel ships no test doubles;
without the testkit, `planbot demo` says in one line how to install it.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import sysconfig
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from bot.messages import catalogue

pytestmark = [pytest.mark.slow, pytest.mark.model]  # the real packaged model answers, checks and plays the demo

ROOT = Path(__file__).resolve().parents[2]
# Top-level entries the build does not need: caches, local state, and the dev-only trees.
NOT_SOURCE = {".git", ".venv", ".ci", "build", "data", "out", "tests", "bench", "docs", ".env"}
QUESTION = "what is an aggregation point?"
INITIATIVE = (
    "Train 200 smallholder farmers in the district to grade and pack their produce at the collection centre, "
    "so that they can sell to the hotels and the supermarket."
)
TIMEOUT = 900  # seconds for the slowest command on two busy cores; the runs end as soon as they are done


def _ignore(directory: str, names: list[str]) -> set[str]:
    here = Path(directory).resolve()
    skipped = {name for name in names if name in {"__pycache__", ".pytest_cache", ".ruff_cache", ".hypothesis"}}
    skipped |= {name for name in names if name.endswith(".egg-info")}
    if here == ROOT:
        skipped |= NOT_SOURCE & set(names)
    if here == ROOT / "planbot_testkit":
        skipped |= {"build"} & set(names)  # the testkit's own project folder: stale output of a build in the checkout
    if here == ROOT / "evals":
        skipped |= {"datasets", "reports"} & set(names)  # eval data is dev-only: a checkout runs `planbot eval`
    return skipped


def _quiet(command: list[str], **kwargs: object) -> None:
    done = subprocess.run(command, capture_output=True, text=True, **kwargs)
    assert done.returncode == 0, f"{' '.join(command)}\n{done.stdout[-2000:]}\n{done.stderr[-3000:]}"


@dataclass
class Run:
    returncode: int
    stdout: str
    stderr: str
    cwd: Path

    def report(self) -> str:
        return f"exit {self.returncode}\n--- stdout\n{self.stdout[-3000:]}\n--- stderr\n{self.stderr[-3000:]}"


@dataclass
class Installed:
    venv: Path
    env: dict[str, str]
    wheel: Path
    testkit_wheel: Path
    demo_without_testkit: Run

    @property
    def bin(self) -> Path:
        return self.venv / "bin"


def _pip_install(venv: Path, wheel: Path) -> None:
    _quiet(
        [sys.executable, "-m", "pip", "--python", str(venv / "bin" / "python"), "install", "--no-deps",
         "--no-index", "--quiet", str(wheel)],
    )  # fmt: skip


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> Installed:
    base = tmp_path_factory.mktemp("wheel")
    source, wheels, venv = base / "src", base / "wheels", base / "venv"
    shutil.copytree(ROOT, source, ignore=_ignore)
    for project in (source, source / "planbot_testkit"):
        _quiet(
            [sys.executable, "-m", "pip", "wheel", str(project), "--no-deps", "--no-build-isolation", "--no-index",
             "--quiet", "-w", str(wheels)],
        )  # fmt: skip
    (wheel,) = wheels.glob("planbot-*.whl")
    (testkit_wheel,) = wheels.glob("planbot_testkit-*.whl")
    _quiet([sys.executable, "-m", "venv", "--without-pip", str(venv)])
    site = Path(sysconfig.get_paths(vars={"base": str(venv), "platbase": str(venv)})["purelib"])
    site.mkdir(parents=True, exist_ok=True)
    # The dev venv's packages are importable, after the new venv's own; its editable-install hook is not run
    # (a path listed in a .pth file is added to sys.path, its own .pth files are not processed).
    (site / "dev-venv.pth").write_text(sysconfig.get_paths()["purelib"] + "\n", encoding="utf-8")
    _pip_install(venv, wheel)
    env = {key: value for key, value in os.environ.items() if not key.startswith("PLANBOT_")}
    for key in ("DATABASE_URL", "PYTHONPATH", "VIRTUAL_ENV", "TELEGRAM_BOT_TOKEN"):
        env.pop(key, None)
    env.update(HF_HUB_OFFLINE="1", TRANSFORMERS_OFFLINE="1", ANONYMIZED_TELEMETRY="False")
    env["PATH"] = f"{venv / 'bin'}{os.pathsep}{env.get('PATH', '')}"
    # planbot alone first: the demo needs the testkit, and must say so rather than fail
    cwd = tmp_path_factory.mktemp("elsewhere-bare-demo")
    bare = subprocess.run(
        [str(venv / "bin" / "planbot"), "demo", "--out", "drafts"],
        cwd=cwd, env=env, capture_output=True, text=True, timeout=TIMEOUT,
    )  # fmt: skip
    _pip_install(venv, testkit_wheel)
    return Installed(
        venv=venv,
        env=env,
        wheel=wheel,
        testkit_wheel=testkit_wheel,
        demo_without_testkit=Run(bare.returncode, bare.stdout, bare.stderr, cwd),
    )


@pytest.fixture(scope="module")
def runs(installed: Installed, tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Run]]:
    """The three commands, started together (each in its own directory outside the repo) to keep the time down."""
    commands = {
        "probe": [
            str(installed.bin / "python"), "-c",
            "import bot, bot.paths, planbot_testkit; print(bot.__file__); print(bot.paths.KNOWLEDGE_DIR); "
            "print(bot.paths.PROMPTS_DIR); print(planbot_testkit.__file__)",
        ],
        "ask": [str(installed.bin / "planbot"), "ask", QUESTION],
        "check": [str(installed.bin / "planbot"), "check", INITIATIVE],
        "demo": [str(installed.bin / "planbot"), "demo", "--out", "drafts"],
    }  # fmt: skip
    started = {}
    for name, command in commands.items():
        cwd = tmp_path_factory.mktemp(f"elsewhere-{name}")
        process = subprocess.Popen(
            command, cwd=cwd, env=installed.env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
        )
        started[name] = (process, cwd)
    results = {}
    try:
        for name, (process, cwd) in started.items():
            stdout, stderr = process.communicate(timeout=TIMEOUT)
            results[name] = Run(process.returncode, stdout, stderr, cwd)
    finally:
        for process, _ in started.values():
            if process.poll() is None:
                process.kill()
                process.communicate()
    yield results


def test_the_wheel_carries_the_prompts_and_the_knowledge_and_is_what_runs(
    installed: Installed, runs: dict[str, Run]
) -> None:
    probe = runs["probe"]
    assert probe.returncode == 0, probe.report()
    module, knowledge, prompts, testkit = (Path(line) for line in probe.stdout.split())
    assert module.is_relative_to(installed.venv), f"the checkout ran, not the wheel: {module}"
    assert testkit.is_relative_to(installed.venv), f"the checkout's testkit ran, not its wheel: {testkit}"
    assert knowledge.is_relative_to(installed.venv) and prompts.is_relative_to(installed.venv)
    assert (knowledge / "upgrading-plan-guidance.md").is_file() and (knowledge / "heads" / "checker.npz").is_file()
    assert (prompts / "messages" / "en.yaml").is_file()


def test_ask_from_the_wheel_quotes_the_guidance_with_its_citation(runs: dict[str, Run]) -> None:
    ask = runs["ask"]
    assert ask.returncode == 0, ask.report()
    assert "aggregation points where interventions can lead to systemic change" in ask.stdout, ask.report()
    assert "[1] upgrading-plan-guidance" in ask.stdout, ask.report()


def test_check_from_the_wheel_prints_a_verdict(runs: dict[str, Run]) -> None:
    check = runs["check"]
    assert check.returncode == 0, check.report()
    words = catalogue().raw("checker.verdicts")
    lines = {catalogue().text("checker.verdict", verdict=word) for word in words.values()}
    assert any(line in check.stdout for line in lines), check.report()


def test_demo_from_the_wheel_writes_a_docx_draft(runs: dict[str, Run]) -> None:
    demo = runs["demo"]
    assert demo.returncode == 0, demo.report()
    drafts = list((demo.cwd / "drafts").glob("*.docx"))
    assert drafts, f"no DOCX under {demo.cwd / 'drafts'}\n{demo.report()}"
    with zipfile.ZipFile(drafts[0]) as docx:
        assert "word/document.xml" in docx.namelist()


def test_the_planbot_wheel_ships_no_test_doubles(installed: Installed) -> None:
    with zipfile.ZipFile(installed.wheel) as wheel:
        names = wheel.namelist()
    doubles = [name for name in names if "loopback" in name or name.startswith(("planbot_testkit/", "tests/"))]
    assert not doubles, f"test doubles in {installed.wheel.name}: {doubles[:10]}"
    assert "bot/telegram/app.py" in names  # the real adapter is there
    with zipfile.ZipFile(installed.testkit_wheel) as testkit:
        assert {"planbot_testkit/server.py", "planbot_testkit/script.py"} <= set(testkit.namelist())


def test_demo_without_the_testkit_says_in_one_line_how_to_install_it(installed: Installed) -> None:
    bare = installed.demo_without_testkit
    assert bare.returncode == 2, bare.report()
    lines = bare.stderr.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in bare.stderr, bare.report()
    assert lines[0].startswith("planbot: demo:") and "planbot_testkit" in lines[0], bare.report()
    assert not (bare.cwd / "drafts").exists(), bare.report()
