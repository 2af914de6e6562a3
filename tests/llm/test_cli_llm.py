"""`planbot check` with PLANBOT_LLM on an OpenAI-compatible server that fails: it calls it, then answers offline."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from bot.checker.offline import OfflineChecker
from bot.cli.app import main

pytestmark = pytest.mark.model

INITIATIVE = (
    "All the lodges along the lake shore, small ones too, pay a little each month for one shared boat to collect "
    "rubbish. The shore is clean before the holiday season."
)


class _Server(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, answer: str) -> None:
        self.answer = answer
        self.requests: list[str] = []
        super().__init__(("127.0.0.1", 0), _Handler)


class _Handler(BaseHTTPRequestHandler):
    server: _Server

    def do_POST(self) -> None:
        self.server.requests.append(self.path)
        self.rfile.read(int(self.headers.get("Content-Length") or 0))
        if self.server.answer == "500":
            body, status = b'{"error": {"message": "boom"}}', 500
        else:
            body, status = b"<html>this is not what an OpenAI server says</html>", 200
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture(params=["500", "garbage"])
def failing_server(request: pytest.FixtureRequest) -> Iterator[_Server]:
    server = _Server(request.param)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()


def test_check_calls_the_model_and_prints_the_offline_verdict_when_it_fails(
    clean_env, monkeypatch, capsys, failing_server: _Server, real_embeddings
) -> None:
    monkeypatch.setenv("PLANBOT_DATA_DIR", str(clean_env / "data"))
    monkeypatch.setenv("PLANBOT_LLM", "openai:test-model")
    monkeypatch.setenv("PLANBOT_LLM_BASE_URL", f"http://127.0.0.1:{failing_server.server_address[1]}/v1")
    monkeypatch.setenv("PLANBOT_LLM_API_KEY", "not-needed")
    monkeypatch.setenv("PLANBOT_LLM_RETRIES", "0")
    assert main(["check", INITIATIVE, "--json"]) == 0
    printed = json.loads(capsys.readouterr().out)
    assert failing_server.requests and failing_server.requests[0].endswith("/chat/completions")
    offline = OfflineChecker(real_embeddings).check(INITIATIVE).to_contract_json()
    assert printed == offline
