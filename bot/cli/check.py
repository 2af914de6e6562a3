"""`planbot check TEXT [--json]`: one initiative checked against the guidance criteria."""

from __future__ import annotations

import json

import typer

from bot.checker.models import Scorecard
from bot.checker.rubric import load_rubric
from bot.errors import PlanbotError
from bot.messages import catalogue

MAX_CHARS = 4000


def validate_text(text: str) -> str:
    """Refuse what cannot be an initiative before any model is loaded."""
    say = catalogue().text
    if not text or not text.strip():
        raise PlanbotError(say("checker.empty_text"))
    if len(text) > MAX_CHARS:
        raise PlanbotError(say("checker.too_long", length=len(text), limit=MAX_CHARS))
    return text


def render_table(card: Scorecard) -> None:
    """The scorecard as a rich table, then the verdict and the follow-up questions."""
    from rich.console import Console
    from rich.table import Table

    say = catalogue().text
    rubric = load_rubric()
    table = Table(title=say("checker.table_title"), show_lines=True)
    for key in ("column_criterion", "column_status", "column_evidence", "column_quote"):
        table.add_column(say(f"checker.{key}"), overflow="fold")
    for result in card.criteria:
        table.add_row(
            rubric.criterion(result.id).label,
            say(f"checker.statuses.{result.status.value}"),
            result.evidence or say("checker.no_evidence"),
            result.citation.quote,
        )
    console = Console()
    console.print(table)
    console.print(say("checker.verdict", verdict=say(f"checker.verdicts.{card.verdict.value}")))
    if card.questions:
        console.print(say("checker.questions"))
        for question in card.questions:
            label = rubric.criterion(question.criterion).label
            console.print(say("checker.question_line", label=label, question=question.question), markup=False)


def register(app: typer.Typer) -> None:
    @app.command("check")
    def check(
        text: str = typer.Argument(..., help="The initiative, as typed in chat."),
        as_json: bool = typer.Option(False, "--json", help="Print the contract's JSON shape."),
    ) -> None:
        """Check an initiative against the eight guidance criteria."""
        validate_text(text)
        from bot.cli.context import services

        with services() as built:  # with PLANBOT_LLM set, the model's judge (offline on any failure)
            card = built.checker.check(text)
        if as_json:
            typer.echo(json.dumps(card.to_contract_json(), ensure_ascii=False, indent=2))
        else:
            render_table(card)
