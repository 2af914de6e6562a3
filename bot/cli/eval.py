"""`planbot eval`: the offline evals with numbers, gated by evals/thresholds.yaml (exit 1 below a bound)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer


def run_eval_command(
    suite: str | None = None,
    dataset: Path | None = None,
    split: str = "test",
    as_json: bool = False,
    compare: Path | None = None,
    llm: str | None = None,
    out: Path | None = None,
    thresholds: Path | None = None,
    context=None,
) -> int:
    """The command's body, callable from tests with a prepared `EvalContext`; returns the exit code."""
    from bot.cli.context import console, err_console
    from evals import runner

    runs = runner.plan_runs(suite, dataset, split)  # validates every dataset before any model loads
    bounds = runner.load_thresholds(thresholds or runner.THRESHOLDS_PATH)
    previous = runner.load_previous(compare) if compare else None
    model = runner.resolve_llm(llm) if context is None else None  # a given context brings its own model
    own = context is None
    context = context or runner.EvalContext(llm=model)
    try:
        run = runner.run_suites(runs, context, bounds, split=None if dataset else split, llm=llm)
    finally:
        if own:
            context.close()
    compared = runner.deltas(run, previous) if previous is not None else None
    written = runner.write_reports(run, out or runner.REPORTS_DIR, compared)
    if as_json:
        payload = run.to_json()
        if compared is not None:
            payload["deltas"] = compared
        typer.echo(json.dumps(payload, indent=2, ensure_ascii=False))
    else:
        runner.render_tables(run, console, compared)
        console.print("reports: " + ", ".join(str(path) for path in written))
    for suite_name, check in run.failed():
        bound = runner.Bound(metric=check.metric, min=check.min, max=check.max).describe()
        err_console.print(
            f"planbot eval: {suite_name}.{check.metric} = {check.value} is out of bounds (needs {bound})",
            markup=False,
        )
    return 0 if run.passed else 1


def register(app: typer.Typer) -> None:
    @app.command("eval")
    def eval_command(
        suite: Annotated[
            str | None,
            typer.Option(
                "--suite",
                help="One suite, e.g. checker_realworld or capture_sw; an unknown name lists them all (default: all).",
            ),
        ] = None,
        dataset: Annotated[
            Path | None, typer.Option("--dataset", help="Run the suite on this JSON Lines file.")
        ] = None,
        split: Annotated[str, typer.Option("--split", help="dev or test (the gate is the test split)")] = "test",
        as_json: Annotated[bool, typer.Option("--json", help="Print the whole run as JSON.")] = False,
        compare: Annotated[Path | None, typer.Option("--compare", help="An earlier JSON report: show deltas.")] = None,
        llm: Annotated[str | None, typer.Option("--llm", help="provider:model, through bot.llm")] = None,
        out: Annotated[Path | None, typer.Option("--out", help="Where reports go (default evals/reports).")] = None,
        thresholds: Annotated[Path | None, typer.Option("--thresholds", help="Another thresholds file.")] = None,
    ) -> None:
        """Measure how well planbot follows the guidance; exit 1 when a metric falls below its floor."""
        code = run_eval_command(suite, dataset, split, as_json, compare, llm, out, thresholds)
        if code:
            raise typer.Exit(code)
