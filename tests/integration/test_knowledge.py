"""The knowledge base with the real packaged model, real Chroma and real SQLite."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from bot.cli.app import main
from bot.errors import PlanbotError
from bot.knowledge.service import IngestStatus
from bot.storage.models import Plan
from tests.fakes.documents import write_docx, write_pdf

pytestmark = pytest.mark.model


def _plan(services, name: str = "Dairy plan") -> int:
    with services.db.session() as session:
        plan = Plan(name=name, value_chain="dairy", region="Highlands")
        session.add(plan)
        session.flush()
        return plan.id


def test_guidance_is_loaded_on_first_start_and_only_once(make_services, tmp_path: Path) -> None:
    first = make_services(tmp_path / "d")
    assert first.knowledge.chunk_count() == 9
    again = make_services(tmp_path / "d")
    assert again.knowledge.chunk_count() == 9
    assert again.knowledge.ensure_guidance().status is IngestStatus.unchanged


def test_a_real_docx_and_a_real_pdf_are_ingested_and_cited(make_services, tmp_path: Path) -> None:
    services = make_services()
    plan_id = _plan(services)
    docx_path = write_docx(
        tmp_path / "dairy-analysis.docx",
        "Milk collection",
        ["Farmers in Kiambu lose a third of the evening milk because the cooling centre closes at five."],
        [
            "The Ndumberi cooperative buys from twelve hundred smallholders.",
            "Feed prices doubled since March.",
        ],
    )
    pdf_path = write_pdf(
        tmp_path / "meeting-notes.pdf",
        [
            "Meeting notes, 3 May",
            "",
            "Transporters asked for a shared cold truck route to the Nairobi buyers.",
        ],
    )
    knowledge = services.knowledge
    assert knowledge.ingest_file(docx_path, plan_id=plan_id).status is IngestStatus.added
    assert knowledge.ingest_file(pdf_path, plan_id=plan_id).chunks >= 1

    answer = services.answerer.ask("why do farmers lose evening milk at the cooling centre?", plan_id=plan_id)
    assert answer.covered
    top = answer.citations[0]
    assert top.document == "dairy-analysis" and top.section == "Milk collection"
    assert "cooling centre closes at five" in top.quote
    assert answer.answer.startswith("The documents say:")  # not passed off as the guidance's words

    answer = services.answerer.ask("shared cold truck route for transporters", plan_id=plan_id)
    assert answer.covered and "cold truck" in answer.citations[0].quote


def test_reingest_unchanged_adds_nothing_and_changed_replaces(make_services, tmp_path: Path) -> None:
    services = make_services()
    path = tmp_path / "notes.md"
    path.write_text("# Notes\n\nThe fish landing site at Kilwa has no ice plant, so catch spoils by noon.\n")
    knowledge = services.knowledge
    first = knowledge.ingest_file(path)
    before = knowledge.chunk_count()
    assert knowledge.ingest_file(path).status is IngestStatus.unchanged
    assert knowledge.chunk_count() == before and services.index.count() == before

    path.write_text("# Notes\n\nThe fish landing site at Kilwa now shares one ice plant with two villages.\n")
    second = knowledge.ingest_file(path)
    assert second.status is IngestStatus.replaced and second.document_id == first.document_id
    assert knowledge.chunk_count() == before and services.index.count() == before
    quotes = [c.quote for c in services.answerer.ask("ice plant at the Kilwa landing site").citations]
    assert any("shares one ice plant" in q for q in quotes)
    assert not any("spoils by noon" in q for q in quotes)


def test_retrieval_for_a_plan_never_sees_another_plans_documents(make_services, tmp_path: Path) -> None:
    services = make_services()
    plan_a, plan_b = _plan(services, "A"), _plan(services, "B")
    secret = tmp_path / "a.md"
    secret.write_text("# A only\n\nCANARY-7731 the cashew processor in Mtwara pays forty percent above market.\n")
    services.knowledge.ingest_file(secret, plan_id=plan_a)
    question = "what does the cashew processor in Mtwara pay?"
    seen_by_a = services.knowledge.retrieve(question, plan_a, k=20)
    seen_by_b = services.knowledge.retrieve(question, plan_b, k=20)
    seen_globally = services.knowledge.retrieve(question, None, k=20)
    assert any("CANARY-7731" in c.text for c in seen_by_a)
    assert not any("CANARY-7731" in c.text for c in seen_by_b + seen_globally)
    assert "CANARY-7731" not in services.answerer.ask(question, plan_b).model_dump_json()


def test_reindex_after_deleting_the_chroma_folder_gives_the_same_answers(make_services, tmp_path: Path) -> None:
    data = tmp_path / "data"
    services = make_services(data)
    questions = [
        "Who are influential actors?",
        "What is an aggregation point?",
        "How to keep stakeholders committed?",
    ]
    before = [services.answerer.ask(q).model_dump() for q in questions]
    services.close()
    shutil.rmtree(data / "chroma")

    rebuilt = make_services(data)  # the start notices the empty index and rebuilds it from SQL
    assert [rebuilt.answerer.ask(q).model_dump() for q in questions] == before
    assert rebuilt.knowledge.reindex() == rebuilt.knowledge.chunk_count()
    assert [rebuilt.answerer.ask(q).model_dump() for q in questions] == before


@pytest.mark.parametrize(
    ("name", "content", "reason"),
    [
        ("scan.pdf", b"%PDF-1.4 this is not really a pdf", "cannot read it as .pdf"),
        ("broken.docx", b"PK\x03\x04 not a zip", "cannot read it as .docx"),
        ("picture.png", b"\x89PNG", "cannot read .png files"),
        ("empty.txt", b"   \n", "holds no text"),
    ],
)
def test_bad_files_are_refused_with_the_reason_and_nothing_is_written(
    make_services, tmp_path: Path, name: str, content: bytes, reason: str
) -> None:
    services = make_services()
    before = services.knowledge.chunk_count()
    path = tmp_path / name
    path.write_bytes(content)
    with pytest.raises(PlanbotError) as caught:
        services.knowledge.ingest_file(path)
    assert str(path) in str(caught.value) and reason in str(caught.value)
    assert services.knowledge.chunk_count() == before == services.index.count()


def test_an_oversized_file_is_refused(make_services, tmp_path: Path) -> None:
    services = make_services()
    services.knowledge.max_file_bytes = 100
    path = tmp_path / "big.md"
    path.write_text("# Big\n\n" + "word " * 100)
    with pytest.raises(PlanbotError, match="over the limit of 100 bytes"):
        services.knowledge.ingest_file(path)


def test_cli_bad_input_exits_2_with_one_line(tmp_path: Path, monkeypatch, capsys) -> None:
    monkeypatch.setenv("PLANBOT_DATA_DIR", str(tmp_path / "data"))
    bad = tmp_path / "x.xlsx"
    bad.write_bytes(b"x")
    good = tmp_path / "good.md"
    good.write_text("# Good\n\nA perfectly fine document about coffee washing stations.\n")
    cases = [
        (["ingest", str(good), str(bad)], "x.xlsx: planbot cannot read .xlsx files"),
        (["ingest", str(tmp_path / "missing.md")], "missing.md: no such file"),
        (["ask", "   "], "question: it is empty"),
        (["ask", "w" * 10000], "question: 10000 characters is too long"),
        (["ask", "who leads?", "--plan", "999"], "--plan 999: no plan with this id"),
    ]
    for argv, expected in cases:
        assert main(argv) == 2
        err = capsys.readouterr().err.strip()
        assert expected in err and "\n" not in err, err
    # the good file listed before the bad one was not written either
    from bot.storage import Database
    from bot.storage.models import Document

    db = Database(f"sqlite:///{tmp_path / 'data' / 'planbot.db'}")
    db.migrate()
    with db.session() as session:
        assert session.query(Document).filter(Document.source == "good.md").count() == 0
    db.dispose()


def test_cli_ask_json_has_the_contract_shape(tmp_path: Path, monkeypatch, capsys) -> None:
    monkeypatch.setenv("PLANBOT_DATA_DIR", str(tmp_path / "data"))
    assert main(["ask", "Who are the influential actors along the chain?", "--json"]) == 0
    payload = json.loads(capsys.readouterr().out)
    assert set(payload) == {"answer", "covered", "citations"} and payload["covered"] is True
    citation = payload["citations"][0]
    assert set(citation) == {"document", "section", "chunk_id", "quote", "score"}
    assert "village chief" in citation["quote"] and 0 <= citation["score"] <= 1

    assert main(["ask", "What is the capital of France?", "--json"]) == 0
    payload = json.loads(capsys.readouterr().out)
    assert payload["covered"] is False and payload["citations"] == []
    assert "does not cover" in payload["answer"]
