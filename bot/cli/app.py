"""The `planbot` command. Each sub-module registers its commands on the shared Typer app."""

from __future__ import annotations

import importlib
import sys

import typer
from typer.exceptions import TyperException

from bot.errors import PlanbotError

# One line per command module; each defines `register(app: typer.Typer) -> None`.
COMMAND_MODULES = [
    "bot.cli.knowledge",
    "bot.cli.backup",
    "bot.cli.run",
    "bot.cli.export",
    "bot.cli.demo",
    "bot.cli.settings_cmd",
    "bot.cli.extract",
    "bot.cli.chat",
    "bot.cli.check",
    "bot.cli.eval",
    "bot.cli.propose",
    "bot.cli.train",
]


def build_app() -> typer.Typer:
    """A fresh app with every command module registered (no module-level state)."""
    app = typer.Typer(
        name="planbot",
        help="planbot: helps an industry draft its upgrading plan, grounded in the guidance.",
        no_args_is_help=True,
        add_completion=False,
        pretty_exceptions_enable=False,
    )
    for name in COMMAND_MODULES:
        importlib.import_module(name).register(app)
    return app


def main(argv: list[str] | None = None) -> int:
    """Run the CLI; a PlanbotError becomes one line on stderr and exit code 2."""
    app = build_app()
    try:
        app(args=argv, standalone_mode=False)
    except PlanbotError as exc:
        print(f"planbot: {exc}", file=sys.stderr)
        return exc.exit_code
    except typer.Exit as exc:
        return exc.exit_code
    except typer.Abort:
        print("planbot: aborted", file=sys.stderr)
        return 1
    except Exception as exc:  # usage errors (typer's own click, or click) carry their own message and exit code
        import click

        if isinstance(exc, click.ClickException | TyperException) and hasattr(exc, "show"):
            exc.show()
            return int(getattr(exc, "exit_code", 2))
        raise
    return 0


if __name__ == "__main__":
    sys.exit(main())
