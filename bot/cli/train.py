"""`planbot train [--task checker|capture] [--check]`: rebuild the offline heads from knowledge/training/."""

from __future__ import annotations

import json

import typer

from bot.errors import PlanbotError

TASKS = ("checker", "capture")


def register(app: typer.Typer) -> None:
    @app.command("train")
    def train(
        task: str = typer.Option("all", "--task", help="checker, capture or all."),
        fold_by: str = typer.Option(
            "value_chain",
            "--fold-by",
            help="What the tuning folds hold out whole: value_chain (the default) or corpus (one writer's file).",
        ),
        check: bool = typer.Option(
            False, "--check", help="Only say whether the shipped heads were trained on the current corpus and cues."
        ),
    ) -> None:
        """Fit the checker's and the extractor's heads on the packaged model's vectors (value-chain-held-out tuning)."""
        tasks = TASKS if task == "all" else (task,)
        if any(name not in TASKS for name in tasks):
            raise PlanbotError(f"--task: {task!r} is not a task (use checker, capture or all)")
        from bot.learning.train import FOLD_BY

        if fold_by not in FOLD_BY:
            raise PlanbotError(f"--fold-by: {fold_by!r} is not a fold (use {' or '.join(FOLD_BY)})")
        from bot.learning.corpus import fingerprint
        from bot.learning.heads import HEADS_DIR, read_heads
        from bot.learning.train import capture_sources, checker_sources

        sources = {"checker": checker_sources, "capture": capture_sources}
        if check:
            stale = []
            for name in tasks:
                path = HEADS_DIR / f"{name}.npz"
                if not path.is_file() or read_heads(path).meta.get("corpus_sha256") != fingerprint(sources[name]()):
                    stale.append(name)
            if stale:
                typer.echo(f"stale heads: {', '.join(stale)} (run `planbot train`)", err=True)
                raise typer.Exit(1)
            typer.echo("heads up to date")
            return
        from bot.cli.context import services
        from bot.learning.corpus import read_capture_corpus, read_checker_corpus
        from bot.learning.train import train_capture, train_checker

        examples = {"checker": read_checker_corpus, "capture": read_capture_corpus}
        corpora = {name: examples[name]() for name in tasks}  # every file is read before any model loads
        with services() as built:  # the settings' embedding model, as the bot's; the heads are what is trained
            for name in tasks:
                if name == "checker":
                    heads, report = train_checker(corpora[name], built.untrained_checker(), fold_by=fold_by)
                else:
                    heads, report = train_capture(corpora[name], built.untrained_extractor())
                target = HEADS_DIR / f"{name}.npz"
                heads.save(target)
                typer.echo(f"{name}: {len(corpora[name])} examples -> {target}")
                typer.echo(json.dumps(report, indent=2))
