"""The draft built from a plan in SQL, exported by `planbot export`, edited, and imported back."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from sqlalchemy import select

from bot.checker.rubric import load_rubric
from bot.cli.app import main
from bot.cli.terminal import TranscriptAdapter
from bot.engine import Person
from bot.services import Services
from bot.settings import load_settings
from bot.storage.models import Plan
from bot.storage.workshop_models import InitiativeRow
from tests.fakes.embeddings import HashingEmbeddings

INITIATIVES = [
    "Monthly meetings of hotels, guesthouses and fishers' cooperative in the community hall to agree a joint beach "
    "clean-up; first clean beach in 2 months; open to all small guesthouses.",
    "A new conference centre for the Grand Hotel only, ready in 5 years.",
]


@pytest.fixture
def services(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Services:
    monkeypatch.setenv("PLANBOT_DATA_DIR", str(tmp_path / "data"))
    built = Services(load_settings(), embeddings_override=HashingEmbeddings())
    yield built
    built.close()


def _plan_with_inputs(services: Services) -> int:
    engine = services.engine
    facilitator = TranscriptAdapter(engine, Person(key="cli:fatma"))
    facilitator.send("/newplan Coastal tourism")
    facilitator.send("tourism")
    replies = facilitator.send("North coast")
    code = next(line.split()[-1] for r in replies for line in r.text.splitlines() if line.startswith("stakeholders:"))
    for name, answer in [
        ("asha", "plastic on the beach **keeps** <b>tourists</b> away {MERGEFIELD x}"),
        ("juma", "no ice for the fish"),
    ]:
        person = TranscriptAdapter(engine, Person(key=f"cli:{name}"))
        person.send(f"/start {code}")
        for label in ("I agree", "Producer", "Small (5-19)", "Skip"):
            person.tap(label)
        person.send(answer)
    with services.db.session() as session:
        plan_id = session.scalar(select(Plan.id).where(Plan.name == "Coastal tourism"))
        for n, text in enumerate(INITIATIVES):
            session.add(
                InitiativeRow(
                    plan_id=plan_id,
                    title=f"Initiative {n + 1}",
                    text=text,
                    body={"title": f"Initiative {n + 1}", "description": text},
                    origin="check",
                    status="accepted" if n == 0 else "proposed",
                    answers=[],
                )
            )
    return plan_id


def test_export_import_export_gives_the_same_draft(services: Services, tmp_path: Path) -> None:
    plan_id = _plan_with_inputs(services)
    first = services.drafts.export(plan_id, "json")
    result = services.drafts.import_json(first.content, "plan.json")
    assert (result.updated, result.added, result.unchanged) == (0, 0, 2)
    assert services.drafts.export(plan_id, "json").content == first.content

    draft = json.loads(first.content)
    assert draft["title"]["plan_id"] == plan_id
    assert [i["title"] for i in draft["initiatives"]] == ["Initiative 1", "Initiative 2"]
    assert draft["initiatives"][0]["accepted"] is True and draft["initiatives"][1]["verdict"] == "not_recommended"

    # an editor rewrites the second initiative and accepts it; a third one is added by hand
    draft["initiatives"][1]["description"] = (
        "Joint cold room run by the fishers' cooperative for all small fish traders, first ice in 3 months."
    )
    draft["initiatives"][1]["accepted"] = True
    draft["initiatives"].append({**draft["initiatives"][0], "id": None, "title": "Guide training", "accepted": False})
    result = services.drafts.import_json(json.dumps(draft), "edited.json")
    assert (result.updated, result.added, result.unchanged) == (1, 1, 1)
    again = json.loads(services.drafts.export(plan_id, "json").content)
    titles = [i["title"] for i in again["initiatives"]]
    assert titles == ["Initiative 1", "Initiative 2", "Guide training"]
    assert again["initiatives"][1]["description"].startswith("Joint cold room")
    assert again["initiatives"][1]["verdict"] != "not_recommended"  # re-checked after the edit


def test_import_refuses_what_it_cannot_place(services: Services) -> None:
    plan_id = _plan_with_inputs(services)
    draft = json.loads(services.drafts.export(plan_id, "json").content)
    draft["initiatives"][0]["id"] = 9999
    with pytest.raises(Exception, match="initiative id 9999 is not an initiative of this plan"):
        services.drafts.import_json(json.dumps(draft), "bad.json")
    draft["title"]["plan_id"] = None
    with pytest.raises(Exception, match="the draft names no plan"):
        services.drafts.import_json(json.dumps(draft), "bad.json")


def test_cli_export_writes_each_format_and_escapes_stakeholder_text(
    services: Services, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    plan_id = _plan_with_inputs(services)
    services.close()  # the CLI opens the store itself
    for fmt in ("md", "json", "docx"):
        out = tmp_path / f"draft.{fmt}"
        assert main(["export", "--plan", str(plan_id), "--format", fmt, "-o", str(out)]) == 0
        assert out.stat().st_size > 0
        assert not out.with_name(out.name + ".part").exists()
    markdown = (tmp_path / "draft.md").read_text()
    assert "<b>" not in markdown and "\\*\\*keeps\\*\\*" in markdown
    assert main(["export", "--plan", "999", "--format", "md"]) == 2
    assert "--plan 999: no plan with this id" in capsys.readouterr().err
    assert main(["export", "--plan", str(plan_id), "--format", "pdf"]) == 2
    assert "--format pdf: unknown format" in capsys.readouterr().err
    assert main(["import", str(tmp_path / "draft.json")]) == 0
    assert "0 initiatives updated, 0 added, 2 unchanged" in capsys.readouterr().out


def test_cli_markdown_export_leaves_the_charts_it_links_beside_it(services: Services, tmp_path: Path) -> None:
    """An editor who opens the exported Markdown sees its charts: every PNG it links is written next to it."""
    plan_id = _plan_with_inputs(services)
    services.close()  # the CLI opens the store itself
    out = tmp_path / "drafts" / "coastal.md"
    assert main(["export", "--plan", str(plan_id), "--format", "md", "-o", str(out)]) == 0
    links = re.findall(r"!\[[^\]]+\]\(([^)\s]+)\)", out.read_text(encoding="utf-8"))
    assert links  # the draft has charts to show
    for name in links:
        assert (out.parent / name).read_bytes().startswith(b"\x89PNG"), name
    assert sorted(path.name for path in out.parent.iterdir()) == sorted([out.name, *links])  # no .part left


def test_participants_are_named_only_when_the_facilitator_opts_in_and_they_agreed(services: Services) -> None:
    engine = services.engine
    facilitator = TranscriptAdapter(engine, Person(key="cli:fatma"))
    facilitator.send("/newplan Dairy")
    facilitator.send("dairy")
    replies = facilitator.send("Highlands")
    code = next(line.split()[-1] for r in replies for line in r.text.splitlines() if line.startswith("stakeholders:"))
    for name, consent, answer in [
        ("Wanjiru", "I agree, and the plan may name me", "feed prices doubled so we earn less from milk"),
        ("Otieno", "I agree", "feed is too expensive and we earn little"),
    ]:
        person = TranscriptAdapter(engine, Person(key=f"cli:{name.lower()}", display_name=name))
        person.send(f"/start {code}")
        for label in (consent, "Producer", "Small (5-19)"):
            person.tap(label)
        person.send(f"{name} Farm")
        person.send(answer)
    with services.db.session() as session:
        plan_id = session.scalar(select(Plan.id).where(Plan.name == "Dairy"))
    anonymous = services.drafts.export(plan_id, "md").content.decode()
    named = services.drafts.export(plan_id, "md", named=True).content.decode()
    assert "Wanjiru" not in anonymous and "Otieno" not in anonymous
    assert "Wanjiru, Wanjiru Farm" in named
    assert "Otieno" not in named  # agreed to take part, not to be named


def _add_check(services: Services, plan_id: int, text: str) -> int:
    """An initiative saved by /check after its follow-ups: the engine keeps each answer as a line of the text."""
    with services.db.session() as session:
        row = InitiativeRow(
            plan_id=plan_id,
            title=text.splitlines()[0][:40] + "…",
            text=text,
            body={"title": text.splitlines()[0][:40] + "…", "description": text},
            origin="check",
            status="proposed",
            answers=[],
        )
        session.add(row)
        session.flush()
        return row.id


def test_follow_up_answers_show_as_answered_questions(services: Services) -> None:
    plan_id = _plan_with_inputs(services)
    typed = "A shared cold room at the landing site for all the fishers of the district, run by their cooperative."
    first = services.checker.check(typed).questions[0]
    row_id = _add_check(services, plan_id, f"{typed}\nthe bank lends to the cooperative")
    draft = json.loads(services.drafts.export(plan_id, "json").content)
    item = next(i for i in draft["initiatives"] if i["id"] == row_id)
    assert item["description"] == typed  # not the answer pasted after it
    assert item["title"] == typed.removesuffix(".")  # the whole first sentence, not one cut with "…"
    assert item["answered"] == [
        {
            "criterion": first.criterion.value,
            "label": load_rubric().criterion(first.criterion).label,
            "question": first.question,
            "answer": "the bank lends to the cooperative",
        }
    ]
    markdown = services.drafts.export(plan_id, "md").content.decode()
    assert f'{first.question} Answer: "the bank lends to the cooperative"' in markdown.replace("\\", "")
    result = services.drafts.import_json(json.dumps(draft), "plan.json")
    assert result.updated == 0  # exported as shown, imported unchanged


def test_an_initiative_added_with_answers_keeps_them_as_answers(services: Services) -> None:
    plan_id = _plan_with_inputs(services)
    draft = json.loads(services.drafts.export(plan_id, "json").content)
    draft["initiatives"].append(
        {
            **draft["initiatives"][0],
            "id": None,
            "title": "Ice for the fish traders",
            "description": "The cooperative sells ice to all small fish traders at the landing site.",
            "answered": [{"question": "When will the first benefit come?", "answer": "ice within two months"}],
        }
    )
    assert services.drafts.import_json(json.dumps(draft), "edited.json").added == 1
    again = json.loads(services.drafts.export(plan_id, "json").content)
    added = next(i for i in again["initiatives"] if i["title"] == "Ice for the fish traders")
    assert added["description"] == "The cooperative sells ice to all small fish traders at the landing site."
    assert [(a["question"], a["answer"]) for a in added["answered"]] == [
        ("When will the first benefit come?", "ice within two months")
    ]
    with services.db.session() as session:  # the answer is part of what was checked
        assert session.get(InitiativeRow, added["id"]).text.endswith("\nice within two months")
