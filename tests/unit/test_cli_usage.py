"""A mistyped command line gets one clear line and exit code 2, never a traceback."""

from __future__ import annotations

import pytest

from bot.cli.app import main


@pytest.mark.parametrize(
    ("argv", "named"),
    [
        (["check", "--bogus", "x"], "--bogus"),
        (["no-such-command"], "no-such-command"),
        (["eval", "--suite"], "--suite"),
    ],
)
def test_a_usage_error_names_what_was_wrong(argv: list[str], named: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert named in err
    assert "Traceback" not in err
