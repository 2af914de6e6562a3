"""The README documents what planbot really has: every setting and every command."""

from pathlib import Path

from bot.cli.app import build_app
from bot.settings import settings_table

README = (Path(__file__).resolve().parents[2] / "README.md").read_text(encoding="utf-8")


def test_readme_settings_table_is_the_settings() -> None:
    assert settings_table() in README, "regenerate the README's table with `planbot settings`"


def test_every_command_is_in_the_readme() -> None:
    app = build_app()
    names = [command.name or command.callback.__name__ for command in app.registered_commands]
    for name in names:
        assert f"`planbot {name}" in README, f"`planbot {name}` is not documented in the README"
