"""`planbot ingest`, `planbot reindex`, `planbot ask`."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape
from rich.table import Table

from bot.answers import render_citation, validate_question
from bot.cli.context import console, services
from bot.knowledge.loaders import load_document
from bot.knowledge.service import KnowledgeBase


def ingest(
    paths: Annotated[list[Path], typer.Argument(help="Files to add: .md, .txt, .docx or .pdf.")],
    plan: Annotated[int | None, typer.Option("--plan", help="Scope the documents to this plan.")] = None,
) -> None:
    """Add documents to the knowledge base: the global guidance, or one plan's own documents."""
    with services() as built:
        # Read every file first: one bad file stops the command before anything is written.
        documents = [(path, load_document(path, built.settings.max_file_bytes)) for path in paths]
        if plan is not None:
            KnowledgeBase.require_plan_in(built.db, plan)
        knowledge = built.knowledge
        table = Table("file", "result", "chunks")
        for path, document in documents:
            result = knowledge.ingest_document(document, path, plan_id=plan)
            table.add_row(escape(str(path)), result.status.value, str(result.chunks))
        console.print(table)


def reindex() -> None:
    """Rebuild the Chroma index from the documents and chunks in the SQL store alone."""
    with services() as built:
        count = built.knowledge.reindex()
        console.print(f"Reindexed {count} chunks from the store.")


def ask(
    question: Annotated[str, typer.Argument(help="What you want to know about the upgrading plan.")],
    plan: Annotated[int | None, typer.Option("--plan", help="Also search this plan's own documents.")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the contract's JSON shape.")] = False,
) -> None:
    """A grounded answer from the guidance, each quote with its citation."""
    with services() as built:
        validate_question(question, built.settings.max_question_chars)
        if plan is not None:
            KnowledgeBase.require_plan_in(built.db, plan)
        answer = built.answerer.ask(question, plan_id=plan)
    if as_json:
        typer.echo(json.dumps(answer.model_dump(mode="json"), ensure_ascii=False, indent=2))
        return
    console.print(escape(answer.answer))
    for n, citation in enumerate(answer.citations, start=1):
        console.print(f"[dim]{escape(render_citation(n, citation))}[/dim]")


def register(app: typer.Typer) -> None:
    app.command()(ingest)
    app.command()(reindex)
    app.command()(ask)
