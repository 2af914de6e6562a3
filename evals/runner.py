"""The eval runner behind `planbot eval`: suites on datasets, the gate of thresholds, reports and deltas.

Every dataset is read and validated before any model is loaded, so bad input costs nothing and leaves
no report half-written.
"""

from __future__ import annotations

import importlib
import json
import shutil
import tempfile
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from functools import cached_property
from pathlib import Path
from typing import Any

import yaml
from langchain_core.embeddings import Embeddings
from langchain_core.language_models import BaseChatModel
from pydantic import BaseModel, Field

from bot.errors import PlanbotError
from evals.datasets import dataset_path
from evals.suites import answers_suite, capture, checker, interview, plan_quality, proposals, themes
from evals.suites.common import SuiteResult

EVALS_DIR = Path(__file__).resolve().parent
THRESHOLDS_PATH = EVALS_DIR / "thresholds.yaml"
REPORTS_DIR = EVALS_DIR / "reports"
SPLITS = ("dev", "test")
LLM_UNAVAILABLE = "--llm: the LLM provider is not available in this build"
INJECTED_LLM = "openai:injected-test-model"  # the settings' name of a model a test hands the context
EVAL_BUDGET = 10**9
THEMES_NOTE = "embeddings only: the model is not used by this suite"


# --- the gate ----------------------------------------------------------------------------------------------


class Bound(BaseModel):
    """A metric's floor (`min`) and/or ceiling (`max`)."""

    metric: str
    min: float | None = None
    max: float | None = None

    def holds(self, value: float | None) -> bool:
        if value is None:
            return False
        return (self.min is None or value >= self.min) and (self.max is None or value <= self.max)

    def describe(self) -> str:
        parts = ([f">= {self.min:g}"] if self.min is not None else []) + (
            [f"<= {self.max:g}"] if self.max is not None else []
        )
        return " and ".join(parts)


def load_thresholds(path: Path = THRESHOLDS_PATH) -> dict[str, list[Bound]]:
    """suite -> bounds; a bare number is a floor. A broken file is a one-line error naming it."""
    if not path.is_file():
        raise PlanbotError(f"{path}: no such thresholds file")
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except yaml.YAMLError as exc:
        raise PlanbotError(f"{path}: not valid YAML ({str(exc).splitlines()[0]})") from None
    if not isinstance(raw, dict):
        raise PlanbotError(f"{path}: expected suites mapping to metrics")
    table: dict[str, list[Bound]] = {}
    for suite, metrics in raw.items():
        if not isinstance(metrics, dict):
            raise PlanbotError(f"{path}: {suite}: expected metrics mapping to bounds")
        bounds = []
        for metric, spec in metrics.items():
            if isinstance(spec, int | float) and not isinstance(spec, bool):
                spec = {"min": spec}
            if not isinstance(spec, dict) or not spec or set(spec) - {"min", "max"}:
                raise PlanbotError(f"{path}: {suite}.{metric}: expected a number or {{min: X}} / {{max: X}}")
            if any(not isinstance(v, int | float) or isinstance(v, bool) for v in spec.values()):
                raise PlanbotError(f"{path}: {suite}.{metric}: bounds must be numbers")
            bounds.append(Bound(metric=metric, **spec))
        table[str(suite)] = bounds
    return table


class Check(BaseModel):
    metric: str
    value: float | None
    min: float | None = None
    max: float | None = None
    passed: bool


def gate(result: SuiteResult, bounds: list[Bound]) -> list[Check]:
    """Each bound of the suite against its metric; a metric the suite did not produce fails."""
    checks = []
    for bound in bounds:
        value = result.metrics.get(bound.metric)
        checks.append(Check(metric=bound.metric, value=value, min=bound.min, max=bound.max, passed=bound.holds(value)))
    return checks


# --- reports -----------------------------------------------------------------------------------------------


class SuiteReport(BaseModel):
    """What lands in evals/reports/<date>-<suite>.json."""

    suite: str
    date: str
    split: str | None
    llm: str | None = None
    seconds: float
    result: SuiteResult
    checks: list[Check] = Field(default_factory=list)

    @property
    def passed(self) -> bool:
        return all(check.passed for check in self.checks)


class EvalRun(BaseModel):
    date: str
    split: str | None
    llm: str | None = None
    suites: list[SuiteReport]

    @property
    def passed(self) -> bool:
        return all(report.passed for report in self.suites)

    def failed(self) -> list[tuple[str, Check]]:
        return [(r.suite, c) for r in self.suites for c in r.checks if not c.passed]

    def to_json(self) -> dict[str, Any]:
        return self.model_dump(mode="json")


# --- what the suites need, built lazily and once ----------------------------------------------------------


@dataclass
class EvalContext:
    """The shared providers of one run: one embedding model, temp data dirs, the optional LLM."""

    embeddings_override: Embeddings | None = None
    llm: Any = None  # (settings, chat model) from `resolve_llm`, or None: the offline providers
    chat_model_override: BaseChatModel | None = None  # tests: this model as if `--llm` had named it
    work_dir: Path = field(default_factory=lambda: Path(tempfile.mkdtemp(prefix="planbot-eval-")))
    _closers: list[Callable[[], None]] = field(default_factory=list)

    @cached_property
    def embeddings(self) -> Embeddings:
        """One embedding model for every suite, the settings' one as the bot loads it (`Services.embeddings`)."""
        if self.embeddings_override is not None:
            return self.embeddings_override
        from bot.services import Services
        from bot.settings import load_settings

        shared = Services(load_settings(data_dir=self.data_dir("shared")))  # only its model is used
        self._closers.append(shared.close)
        return shared.embeddings

    def data_dir(self, name: str) -> Path:
        """A fresh data dir per suite, so no suite sees another's rows."""
        path = self.work_dir / name
        path.mkdir(parents=True, exist_ok=True)
        return path

    @property
    def uses_llm(self) -> bool:
        return self.llm is not None or self.chat_model_override is not None

    def llm_settings(self, **overrides: object) -> Any:
        """The `--llm` settings with the hourly budgets lifted (an eval measures answers, not the budget)."""
        from bot.settings import load_settings

        base = self.llm[0] if self.llm is not None else None
        values: dict[str, object] = {
            "llm": base.llm if base is not None else INJECTED_LLM,
            "llm_person_requests_per_hour": EVAL_BUDGET,
            "llm_person_tokens_per_hour": EVAL_BUDGET,
            "llm_plan_requests_per_hour": EVAL_BUDGET,
            "llm_plan_tokens_per_hour": EVAL_BUDGET,
        }
        if base is not None:
            values.update(
                llm_base_url=base.llm_base_url,
                llm_api_key=base.llm_api_key,
                llm_timeout_seconds=base.llm_timeout_seconds,
                llm_retries=base.llm_retries,
            )
        values.update(overrides)
        return load_settings(**values)

    @property
    def chat_model(self) -> BaseChatModel | None:
        return self.chat_model_override if self.chat_model_override is not None else (self.llm or (None, None))[1]

    def services(self, name: str):
        """A fresh composition root per suite; with `--llm` its engine uses the model (each use falling back)."""
        from bot.services import Services
        from bot.settings import load_settings

        if self.uses_llm:
            settings = self.llm_settings(data_dir=self.data_dir(name))
        else:
            settings = load_settings(data_dir=self.data_dir(name))
        built = Services(settings, embeddings_override=self.embeddings, chat_model_override=self.chat_model)
        self._closers.append(built.close)
        return built

    def close(self) -> None:
        for closer in reversed(self._closers):
            closer()
        self._closers.clear()
        shutil.rmtree(self.work_dir, ignore_errors=True)


def _run_answers(context: EvalContext, path: Path) -> SuiteResult:
    """The split's answers and, beside them, its everyday-phrasing companion (offline: retrieval is offline)."""
    built = context.services("answers")
    offline = built.offline_answerer
    if not context.uses_llm:
        return answers_suite.with_paraphrases(answers_suite.run_answers_suite(offline, path), offline, path)
    from evals.suites.answers_llm import run_answers_llm

    llm = _llm_of(built)
    before = _services_stats(built)
    agreement = not path.name.endswith(".dev.jsonl")  # the grader is measured against the test labels
    result = run_answers_llm(offline, llm.answerer, llm.grader, path, agreement=agreement)
    result = answers_suite.with_paraphrases(result, offline, path)
    return _with_llm_stats(result, _services_stats(built) - before)


def _run_capture(context: EvalContext, path: Path) -> SuiteResult:
    built = context.services("capture")
    extractor = built.offline_extractor
    if not context.uses_llm:
        return capture.run_capture(extractor, path, cue_extractor=built.untrained_extractor())
    before = _services_stats(built)
    result = capture.run_capture(_llm_of(built).extractor, path, also={"offline": extractor})
    return _with_llm_stats(result, _services_stats(built) - before)


def _run_themes(context: EvalContext, path: Path) -> SuiteResult:
    result = themes.run_themes(context.embeddings, path)
    if context.uses_llm:
        result.details["llm_note"] = THEMES_NOTE
    return result


def _run_checker(context: EvalContext, path: Path) -> SuiteResult:
    built = context.services("checker")
    judge = built.offline_checker
    if not context.uses_llm:
        return checker.run_checker(judge, path, cue_checker=built.untrained_checker())
    before = _services_stats(built)
    result = checker.run_checker(_llm_of(built).judge, path, also={"offline": judge})
    return _with_llm_stats(result, _services_stats(built) - before)


# Reasons a use records that are not a fallback to the offline path (it answered, with something set aside).
NOT_FALLBACKS = frozenset(
    {
        "ok",
        "sentence_dropped",
        "draft_dropped",
        "draft_not_recommended",
        "disagreed_kept_offline",
        "overruled_weak_offline",
    }
)


def _with_llm_stats(result: SuiteResult, counts: Counter[tuple[str, str]]) -> SuiteResult:
    """With `--llm`: per use, each reason counted (`ok` included) and the share of calls that fell back."""
    reasons: dict[str, dict[str, int]] = {}
    for (use, reason), n in sorted(counts.items()):
        reasons.setdefault(use, {})[reason] = n
    result.details["llm_reasons"] = reasons
    for use, by_reason in reasons.items():
        fell = sum(n for reason, n in by_reason.items() if reason not in NOT_FALLBACKS)
        calls = fell + by_reason.get("ok", 0)
        if calls:
            result.metrics[f"llm_{use}_fallback_share"] = round(fell / calls, 4)
    return result


def _services_stats(built: Any) -> Counter[tuple[str, str]]:
    return Counter(built.llm.stats.counts) if built.llm is not None else Counter()


def _llm_of(built: Any) -> Any:
    """The suite's model-backed uses (`--llm`, or a test's injected model): their root built them around its
    offline providers, with one client whose fallback counter the suite reports."""
    if built.llm is None:
        raise PlanbotError(LLM_UNAVAILABLE)
    return built.llm


def _run_interview(context: EvalContext, path: Path) -> SuiteResult:
    built = context.services("interview")
    result = interview.run_interview(built, path)
    return _with_llm_stats(result, _services_stats(built)) if context.uses_llm else result


def _run_proposals(context: EvalContext, path: Path) -> SuiteResult:
    built = context.services("proposals")
    result = proposals.run_proposals(built, path)
    return _with_llm_stats(result, _services_stats(built)) if context.uses_llm else result


@dataclass(frozen=True)
class SuiteSpec:
    name: str
    dataset: str  # the base name under evals/datasets/
    load: Callable[[Path], object]  # validates a dataset without any model
    run: Callable[[EvalContext, Path], SuiteResult]
    splits: tuple[str, ...] = SPLITS  # held-out sets have a test split only: nothing is tuned on them


SUITES: dict[str, SuiteSpec] = {
    spec.name: spec
    for spec in (
        SuiteSpec("answers", "answers", answers_suite.load, _run_answers),
        SuiteSpec("capture", "capture", capture.load, _run_capture),
        SuiteSpec("themes", "themes", themes.load, _run_themes),
        SuiteSpec("themes_heldout", "themes.heldout", themes.load, _run_themes, ("test",)),
        SuiteSpec("capture_heldout", "capture.heldout", capture.load, _run_capture, ("test",)),
        SuiteSpec("capture_realworld", "capture.realworld", capture.load, _run_capture, ("test",)),
        # Swahili and French messages and initiatives, one set per language (issue 18, item 4)
        SuiteSpec("capture_sw", "capture.sw", capture.load, _run_capture, ("test",)),
        SuiteSpec("capture_fr", "capture.fr", capture.load, _run_capture, ("test",)),
        SuiteSpec("checker", "checker", checker.load, _run_checker),
        SuiteSpec("checker_heldout", "checker.heldout", checker.load, _run_checker, ("test",)),
        SuiteSpec("checker_realworld", "checker.realworld", checker.load, _run_checker, ("test",)),
        SuiteSpec("checker_sw", "checker.sw", checker.load, _run_checker, ("test",)),
        SuiteSpec("checker_fr", "checker.fr", checker.load, _run_checker, ("test",)),
        SuiteSpec("interview", "personas", interview.load, _run_interview),
        SuiteSpec("proposals", "plans", proposals.load, _run_proposals),
        SuiteSpec("plan_quality", "plan_quality", plan_quality.load, plan_quality.run, ("test",)),
    )
}


def plan_runs(suite: str | None, dataset: Path | None, split: str = "test") -> list[tuple[SuiteSpec, Path]]:
    """Which suites run on which files; every file is validated here, before any model loads."""
    if split not in SPLITS:
        raise PlanbotError(f"--split: {split!r} is not a split (use {' or '.join(SPLITS)})")
    if suite is not None and suite not in SUITES:
        raise PlanbotError(f"--suite: no suite {suite!r} (suites: {', '.join(SUITES)})")
    if dataset is not None:
        if suite is None:
            guess = dataset.name.split(".", 1)[0]
            suite = next((s.name for s in SUITES.values() if guess in (s.name, s.dataset)), None)
            if suite is None:
                raise PlanbotError(f"--dataset: name the suite of {dataset.name} with --suite")
        runs = [(SUITES[suite], dataset)]
    else:
        if suite is not None and split not in SUITES[suite].splits:
            raise PlanbotError(
                f"--split: {suite} has no {split} split (it is held out: {', '.join(SUITES[suite].splits)})"
            )
        names = [suite] if suite else [name for name, spec in SUITES.items() if split in spec.splits]
        runs = [(SUITES[name], dataset_path(SUITES[name].dataset, split)) for name in names]
    for spec, path in runs:
        spec.load(path)
    return runs


def resolve_llm(spec: str | None) -> Any:
    """The chat model of `--llm SPEC` through the bot.llm factory, when this build has one."""
    if spec is None:
        return None
    try:
        module = importlib.import_module("bot.llm")
    except ModuleNotFoundError as exc:
        if exc.name in ("bot.llm", "bot"):
            raise PlanbotError(LLM_UNAVAILABLE) from None
        raise
    factory = getattr(module, "build_chat_model", None)
    if factory is None:
        raise PlanbotError(LLM_UNAVAILABLE)
    from bot.settings import load_settings

    settings = load_settings(llm=spec)
    model = factory(settings)
    return (settings, model) if model is not None else None


def run_suites(
    runs: list[tuple[SuiteSpec, Path]],
    context: EvalContext,
    thresholds: dict[str, list[Bound]],
    split: str | None = "test",
    llm: str | None = None,
    today: date | None = None,
) -> EvalRun:
    day = (today or date.today()).isoformat()
    reports = []
    for spec, path in runs:
        started = time.perf_counter()
        result = spec.run(context, path)
        reports.append(
            SuiteReport(
                suite=spec.name,
                date=day,
                split=split,
                llm=llm,
                seconds=round(time.perf_counter() - started, 2),
                result=result,
                checks=gate(result, thresholds.get(spec.name, [])),
            )
        )
    return EvalRun(date=day, split=split, llm=llm, suites=reports)


def load_previous(path: Path) -> dict[str, dict[str, float]]:
    """suite -> metrics of an earlier report: one suite's JSON, or the whole run's (`--json`)."""
    if not path.is_file():
        raise PlanbotError(f"--compare: {path}: no such report")
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as exc:
        raise PlanbotError(f"--compare: {path}: not valid JSON ({exc.msg})") from None
    reports = data.get("suites") if isinstance(data, dict) and "suites" in data else [data]
    found: dict[str, dict[str, float]] = {}
    for report in reports if isinstance(reports, list) else []:
        try:
            found[report["suite"]] = {k: float(v) for k, v in report["result"]["metrics"].items()}
        except (KeyError, TypeError, ValueError):
            raise PlanbotError(f"--compare: {path}: not a planbot eval report") from None
    if not found:
        raise PlanbotError(f"--compare: {path}: not a planbot eval report")
    return found


def deltas(run: EvalRun, previous: dict[str, dict[str, float]]) -> dict[str, dict[str, float]]:
    """Now minus before, for every metric both reports have."""
    out: dict[str, dict[str, float]] = {}
    for report in run.suites:
        before = previous.get(report.suite, {})
        out[report.suite] = {
            metric: round(value - before[metric], 4)
            for metric, value in report.result.metrics.items()
            if metric in before
        }
    return out


def _bound_text(check: Check | None) -> str:
    if check is None:
        return ""
    return Bound(metric=check.metric, min=check.min, max=check.max).describe()


def _shown_metrics(report: SuiteReport) -> list[str]:
    """Gated metrics first, then the rest in the suite's order."""
    gated = [check.metric for check in report.checks]
    return gated + [m for m in report.result.metrics if m not in gated]


def summary_markdown(run: EvalRun, compared: dict[str, dict[str, float]] | None = None) -> str:
    """The Markdown summary of a run: one table per suite, with baselines, bounds and verdicts."""
    lines = [f"# planbot evals, {run.date}", ""]
    lines.append(f"Split: {run.split or 'custom dataset'}" + (f"; LLM: {run.llm}" if run.llm else "; offline"))
    lines.append(f"Gate: {'PASS' if run.passed else 'FAIL'}")
    for suite, check in run.failed():
        lines.append(f"- below its bound: {suite}.{check.metric} = {check.value} (needs {_bound_text(check)})")
    for report in run.suites:
        result = report.result
        baselines = list(result.baselines)
        lines += [
            "",
            f"## {report.suite}",
            "",
            f"{result.cases} cases from `{Path(result.dataset).name}`, {report.seconds:g} s."
            + (f" LLM: {result.details['llm_note']}." if result.details.get("llm_note") else ""),
            "",
        ]
        head = ["metric", "value", *baselines, "bound", "pass"]
        delta = (compared or {}).get(report.suite)
        if delta is not None:
            head.insert(2, "delta")
        lines.append("| " + " | ".join(head) + " |")
        lines.append("|" + "---|" * len(head))
        checks = {check.metric: check for check in report.checks}
        for metric in _shown_metrics(report):
            check = checks.get(metric)
            row = [metric, f"{result.metrics.get(metric, float('nan')):.3f}"]
            if delta is not None:
                row.append(f"{delta[metric]:+.3f}" if metric in delta else "")
            row += [f"{result.baselines[b][metric]:.3f}" if metric in result.baselines[b] else "" for b in baselines]
            row += [_bound_text(check), "" if check is None else ("yes" if check.passed else "**no**")]
            lines.append("| " + " | ".join(row) + " |")
    return "\n".join(lines) + "\n"


def write_reports(
    run: EvalRun, out_dir: Path = REPORTS_DIR, compared: dict[str, dict[str, float]] | None = None
) -> list[Path]:
    """evals/reports/<date>-<suite>.json per suite and <date>-summary.md; written only once all ran."""
    out_dir.mkdir(parents=True, exist_ok=True)
    written = []
    for report in run.suites:
        target = out_dir / f"{run.date}-{report.suite}.json"
        target.write_text(json.dumps(report.model_dump(mode="json"), indent=2, ensure_ascii=False) + "\n")
        written.append(target)
    summary = out_dir / f"{run.date}-summary.md"
    summary.write_text(summary_markdown(run, compared), encoding="utf-8")
    written.append(summary)
    return written


def render_tables(run: EvalRun, console: Any, compared: dict[str, dict[str, float]] | None = None) -> None:
    """One rich table per suite: metric, value, (delta), each baseline, bound, pass/fail."""
    from rich.table import Table

    for report in run.suites:
        result = report.result
        delta = (compared or {}).get(report.suite)
        note = f" ({result.details['llm_note']})" if result.details.get("llm_note") else ""
        table = Table(
            title=f"{report.suite}: {result.cases} cases, {Path(result.dataset).name}, {report.seconds:g} s{note}"
        )
        table.add_column("metric", no_wrap=True)
        table.add_column("value", justify="right")
        if delta is not None:
            table.add_column("delta", justify="right")
        for name in result.baselines:
            table.add_column(name, justify="right")
        table.add_column("bound")
        table.add_column("pass")
        checks = {check.metric: check for check in report.checks}
        for metric in _shown_metrics(report):
            check = checks.get(metric)
            row = [metric, f"{result.metrics.get(metric, float('nan')):.3f}"]
            if delta is not None:
                row.append(f"{delta[metric]:+.3f}" if metric in delta else "")
            row += [f"{b[metric]:.3f}" if metric in b else "" for b in result.baselines.values()]
            verdict = "" if check is None else ("[green]pass[/green]" if check.passed else "[red]FAIL[/red]")
            row += [_bound_text(check), verdict]
            table.add_row(*row)
        console.print(table)
