"""`planbot extract`: the inputs captured from one stakeholder message."""

from __future__ import annotations

import json
from typing import Annotated

import typer
from rich.markup import escape
from rich.table import Table

from bot.domain import Extraction
from bot.errors import PlanbotError
from bot.messages import catalogue
from bot.ports import INTERVIEW_TOPICS


def validate_request(text: str, question: str | None) -> None:
    """Bad input is refused before the model loads: empty text, an unknown question key."""
    messages = catalogue()
    if not text or not text.strip():
        raise PlanbotError(messages.text("capture.empty_text"))
    if question is not None and question not in INTERVIEW_TOPICS:
        raise PlanbotError(messages.text("capture.unknown_question", given=question, keys=", ".join(INTERVIEW_TOPICS)))


def extract(
    text: Annotated[str, typer.Argument(help="A stakeholder's message, as written.")],
    question: Annotated[
        str | None,
        typer.Option("--question", help=f"The interview topic it answers: {', '.join(INTERVIEW_TOPICS)}."),
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the contract's JSON shape.")] = False,
) -> None:
    """Split a message into atomic inputs and classify each (offline: embeddings + cue lexicon)."""
    validate_request(text, question)
    from bot.cli.context import console, services  # its module pulls in the services, so lazily

    with services() as built:  # with PLANBOT_LLM set, the model's extractor (offline on any failure)
        extractor = built.extractor
        inputs = extractor.extract(text, question)
        is_question = not inputs and extractor.is_question(text)
    if as_json:
        typer.echo(json.dumps(Extraction(inputs=inputs).model_dump(mode="json"), ensure_ascii=False, indent=2))
        return
    messages = catalogue()
    if not inputs:
        key = "capture.is_question" if is_question else "capture.no_inputs"
        console.print(escape(messages.text(key)))
        return
    table = Table(
        messages.text("capture.column_kind"),
        messages.text("capture.column_text"),
        messages.text("capture.column_summary"),
        messages.text("capture.column_confidence"),
    )
    for item in inputs:
        table.add_row(
            escape(messages.text(f"capture.kinds.{item.kind.value}")),
            escape(item.text),
            escape(item.summary),
            f"{item.confidence:.2f}",
        )
    console.print(table)


def register(app: typer.Typer) -> None:
    app.command()(extract)
