"""The image's HEALTHCHECK: the server this container runs answers HTTP on the port its command names.

One image serves both kinds of service in compose.yaml, `planbot run --webhook --port N` and
`chroma run --port N`, so the port is read from the container's own command line (PID 1, or the first process
that names a port when an init runs first). A webhook worker opens
its port only once it has migrated the database and loaded the model, so an answer means it is ready; any HTTP
status will do (the webhook path takes POST only, and `/` is not served), only no answer is unhealthy.
Exit 0: healthy; 1: not (yet).
"""

from __future__ import annotations

import sys
import urllib.error
import urllib.request
from pathlib import Path

DEFAULT_PORT = 8443  # `planbot run --webhook` without --port


def command_port(cmdline: bytes) -> int | None:
    """The value of --port (or --port=N) in a NUL-separated command line, if it names one."""
    args = [arg.decode(errors="replace") for arg in cmdline.split(b"\0") if arg]
    for n, arg in enumerate(args):
        if arg == "--port" and n + 1 < len(args):
            return int(args[n + 1])
        if arg.startswith("--port="):
            return int(arg.split("=", 1)[1])
    return None


def served_port(proc: Path = Path("/proc")) -> int:
    """The port of the container's server: PID 1's, else the lowest-numbered process's that names one."""
    pids = sorted(int(entry.name) for entry in proc.iterdir() if entry.name.isdigit())
    for pid in pids:
        try:
            port = command_port((proc / str(pid) / "cmdline").read_bytes())
        except (OSError, ValueError):
            continue
        if port is not None:
            return port
    return DEFAULT_PORT


def answers(port: int, timeout: float = 3.0) -> bool:
    """True when something speaks HTTP on the port, whatever the status."""
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=timeout):
            return True
    except urllib.error.HTTPError:  # a 404 or 405 is an answer: the server is up
        return True
    except OSError:
        return False


def main() -> int:
    return 0 if answers(served_port()) else 1


if __name__ == "__main__":
    sys.exit(main())
