"""The runner without the real model: bad input, the gate's bounds, reports, deltas and exit codes."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from bot.cli.app import main
from bot.cli.eval import run_eval_command
from bot.errors import PlanbotError
from evals.runner import (
    LLM_UNAVAILABLE,
    EvalContext,
    gate,
    load_previous,
    load_thresholds,
    plan_runs,
    resolve_llm,
)
from evals.suites.common import SuiteResult
from tests.fakes.embeddings import HashingEmbeddings

CAPTURE_ROWS = [
    {"id": "c1", "text": "the road to the market is very bad when it rains", "kinds": ["constraint"]},
    {"id": "c2", "text": "hello, good morning", "kinds": []},
    {"id": "c3", "text": "the village chief, everybody listens to him", "kinds": ["influential_actor"]},
]


def write_jsonl(path: Path, rows: list[dict]) -> Path:
    path.write_text("".join(json.dumps(row) + "\n" for row in rows), encoding="utf-8")
    return path


@pytest.fixture
def hashing_context(tmp_path: Path):
    context = EvalContext(embeddings_override=HashingEmbeddings(), work_dir=tmp_path / "work")
    yield context
    context.close()


def test_thresholds_file_has_the_required_floors_and_ceilings() -> None:
    bounds = {suite: {b.metric: b for b in found} for suite, found in load_thresholds().items()}
    assert bounds["answers"]["recall_at_1"].min == 0.90
    assert bounds["answers"]["abstention_recall"].min == 1.0
    assert bounds["capture"]["macro_f1"].min == 0.85
    assert bounds["capture"]["false_input_rate"].max == 0.10
    assert bounds["checker"]["verdict_accuracy"].min == 0.75  # in-house set, written with the cues
    assert bounds["checker"]["criterion_accuracy"].min == 0.85
    assert bounds["checker"]["injection_verdict_changes"].max == 0
    # the honest measures: text the heads never saw is gated too
    assert bounds["checker_heldout"]["verdict_accuracy"].min >= 0.80
    assert bounds["checker_heldout"]["injection_verdict_changes"].max == 0
    assert bounds["checker_realworld"]["verdict_accuracy"].min >= 0.55
    assert bounds["capture_heldout"]["macro_f1"].min >= 0.90
    assert bounds["capture_realworld"]["macro_f1"].min >= 0.85
    assert bounds["themes"]["mean_ari"].min == 0.65
    assert bounds["interview"]["topic_coverage"].min == 1.0
    assert bounds["interview"]["canary_leaks"].max == 0


def test_a_bare_number_is_a_floor_and_a_broken_bound_is_named(tmp_path: Path) -> None:
    good = tmp_path / "t.yaml"
    good.write_text("capture:\n  macro_f1: 0.5\n  false_input_rate: {max: 0.2}\n")
    bounds = load_thresholds(good)["capture"]
    assert [(b.metric, b.min, b.max) for b in bounds] == [
        ("macro_f1", 0.5, None),
        ("false_input_rate", None, 0.2),
    ]
    bad = tmp_path / "bad.yaml"
    bad.write_text("capture:\n  macro_f1: {floor: 0.5}\n")
    with pytest.raises(PlanbotError, match=r"capture\.macro_f1"):
        load_thresholds(bad)


def test_gate_fails_below_a_floor_above_a_ceiling_and_on_a_missing_metric(tmp_path: Path) -> None:
    path = tmp_path / "t.yaml"
    path.write_text("s:\n  a: {min: 0.9}\n  b: {max: 0.1}\n  c: {min: 0}\n  d: {min: 0.5, max: 0.7}\n")
    result = SuiteResult(suite="s", dataset="x", cases=1, metrics={"a": 0.89, "b": 0.11, "d": 0.6})
    checks = {check.metric: check.passed for check in gate(result, load_thresholds(path)["s"])}
    assert checks == {"a": False, "b": False, "c": False, "d": True}


def test_unknown_suite_bad_split_and_missing_dataset_are_one_line_errors(tmp_path: Path) -> None:
    with pytest.raises(PlanbotError, match="no suite 'nope'"):
        plan_runs("nope", None)
    with pytest.raises(PlanbotError, match="--split"):
        plan_runs("capture", None, "train")
    with pytest.raises(PlanbotError, match="no such dataset"):
        plan_runs("capture", tmp_path / "missing.jsonl")
    with pytest.raises(PlanbotError, match="name the suite"):
        plan_runs(None, write_jsonl(tmp_path / "mine.jsonl", CAPTURE_ROWS))


def test_a_malformed_line_is_named_by_file_and_line(tmp_path: Path) -> None:
    path = tmp_path / "capture.custom.jsonl"
    path.write_text(json.dumps(CAPTURE_ROWS[0]) + "\n{not json\n")
    with pytest.raises(PlanbotError, match=rf"{path.name}:2: not valid JSON"):
        plan_runs(None, path)  # the suite is inferred from the file name
    write_jsonl(path, [CAPTURE_ROWS[0], {"id": "x", "text": "t", "kinds": ["complaint"]}])
    with pytest.raises(PlanbotError, match=r":2: unknown kind complaint"):
        plan_runs("capture", path)
    personas = write_jsonl(tmp_path / "p.jsonl", [{"id": "p", "role": "wizard", "size": "micro", "answers": ["x"]}])
    with pytest.raises(PlanbotError, match=r"p\.jsonl:1: unknown role 'wizard'"):
        plan_runs("interview", personas)


def test_cli_bad_input_exits_2_with_one_line_and_writes_nothing(tmp_path: Path, capsys) -> None:
    out = tmp_path / "reports"
    bad = tmp_path / "capture.bad.jsonl"
    bad.write_text('{"id": "a", "text": "x"}\n')
    assert main(["eval", "--suite", "capture", "--dataset", str(bad), "--out", str(out)]) == 2
    err = capsys.readouterr().err.strip()
    assert err == f"planbot: {bad}:1: missing kinds"
    assert main(["eval", "--suite", "nope", "--out", str(out)]) == 2
    assert "no suite 'nope'" in capsys.readouterr().err
    assert not out.exists()


def test_llm_flag_with_no_usable_provider_is_a_clear_one_line_error(capsys) -> None:
    try:
        import bot.llm  # noqa: F401
    except ModuleNotFoundError:
        expected = LLM_UNAVAILABLE
    else:
        expected = "PLANBOT_LLM: expected provider:model"
    assert main(["eval", "--suite", "capture", "--llm", "garbage"]) == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith(f"planbot: {expected}") and "\n" not in err
    assert resolve_llm(None) is None


def test_below_a_floor_exits_1_naming_the_metric_and_still_writes_reports(
    tmp_path: Path, hashing_context: EvalContext, capsys
) -> None:
    dataset = write_jsonl(tmp_path / "capture.small.jsonl", CAPTURE_ROWS)
    strict = tmp_path / "strict.yaml"
    strict.write_text("capture:\n  macro_f1: {min: 1.01}\n  false_input_rate: {max: 1.0}\n")
    out = tmp_path / "reports"
    code = run_eval_command(suite="capture", dataset=dataset, out=out, thresholds=strict, context=hashing_context)
    captured = capsys.readouterr()
    assert code == 1
    assert "capture.macro_f1" in captured.err and "false_input_rate" not in captured.err
    names = sorted(path.name for path in out.iterdir())
    assert len(names) == 2 and names[0].endswith("-capture.json") and names[1].endswith("-summary.md")
    report = json.loads((out / names[0]).read_text())
    assert report["result"]["cases"] == 3 and report["checks"][0]["passed"] is False
    assert set(report["result"]["baselines"]) == {"majority", "keyword_only", "cues_v0_1"}
    summary = (out / names[1]).read_text()
    assert "Gate: FAIL" in summary and "| macro_f1 |" in summary


def test_compare_shows_deltas_against_an_earlier_report(tmp_path: Path, hashing_context: EvalContext, capsys) -> None:
    dataset = write_jsonl(tmp_path / "capture.small.jsonl", CAPTURE_ROWS)
    lenient = tmp_path / "lenient.yaml"
    lenient.write_text("capture:\n  macro_f1: {min: 0}\n")
    out = tmp_path / "reports"
    assert run_eval_command(suite="capture", dataset=dataset, out=out, thresholds=lenient, context=hashing_context) == 0
    capsys.readouterr()
    earlier = next(out.glob("*-capture.json"))
    data = json.loads(earlier.read_text())
    data["result"]["metrics"]["macro_f1"] -= 0.25
    earlier.write_text(json.dumps(data))
    assert load_previous(earlier)["capture"]["macro_f1"] == data["result"]["metrics"]["macro_f1"]
    code = run_eval_command(
        suite="capture",
        dataset=dataset,
        as_json=True,
        compare=earlier,
        out=tmp_path / "again",
        thresholds=lenient,
        context=hashing_context,
    )
    payload = json.loads(capsys.readouterr().out)
    assert code == 0
    assert payload["deltas"]["capture"]["macro_f1"] == pytest.approx(0.25)
    assert "| delta |" in next((tmp_path / "again").glob("*-summary.md")).read_text().replace("metric | value ", "")


def test_compare_refuses_a_file_that_is_not_a_report(tmp_path: Path) -> None:
    other = tmp_path / "x.json"
    other.write_text('{"hello": 1}')
    with pytest.raises(PlanbotError, match="not a planbot eval report"):
        load_previous(other)
