"""/summary starts with the themes chart as a photo, drawn from the themes the text ranks; /export md brings its
charts along. The whole product is wired as it runs (`Services`), on a counting embedder."""

from __future__ import annotations

import io
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from matplotlib import image

from bot.cli.terminal import TranscriptAdapter
from bot.engine import Incoming, Person
from bot.engine.models import Reply
from bot.engine.outbox import decode
from bot.services import Services
from bot.settings import load_settings
from bot.storage.delivery_models import OutboxRow
from bot.themes.plan_themes import PlanThemes
from tests.fakes.embeddings import CountingEmbeddings
from tests.fakes.plans import join_stakeholder, open_plan

PNG = b"\x89PNG\r\n\x1a\n"
ANSWERS = {
    "asha": "there are no bins so plastic & bottles pile up on the <beach>",
    "neema": "there are no bins so plastic & bottles pile up on the <beach> daily",
    "juma": "no ice for the fish at the landing site",
    "baraka": "more tourists come for diving and want clean reefs",
}


@pytest.fixture
def embeddings() -> CountingEmbeddings:
    return CountingEmbeddings()


@pytest.fixture
def services(clean_env: Path, monkeypatch: pytest.MonkeyPatch, embeddings: CountingEmbeddings) -> Iterator[Services]:
    monkeypatch.setenv("PLANBOT_DATA_DIR", str(clean_env / "data"))
    built = Services(load_settings(), embeddings_override=embeddings)
    yield built
    built.close()


def _workshop(services: Services) -> tuple[TranscriptAdapter, TranscriptAdapter]:
    facilitator, code = open_plan(services)
    people = [join_stakeholder(services, name, code) for name in ANSWERS]
    for person, answer in zip(people, ANSWERS.values(), strict=True):
        person.send(answer)
    return facilitator, people[0]


def _first_theme(text: str) -> tuple[str, int]:
    """The label and people of the theme the text ranks first among the problems."""
    lines = text.splitlines()
    found = re.match(r"1\. (.+) - (\d+) people,", lines[lines.index("Problems:") + 1])
    assert found, text
    return found.group(1), int(found.group(2))


def test_summary_sends_the_themes_chart_then_the_text_from_one_grouping(
    services: Services, embeddings: CountingEmbeddings, monkeypatch: pytest.MonkeyPatch
) -> None:
    facilitator, _ = _workshop(services)
    groupings: list[int] = []
    group = PlanThemes.group

    def counted(self: PlanThemes, items):
        groupings.append(len(items))
        return group(self, items)

    monkeypatch.setattr(PlanThemes, "group", counted)
    embeddings.calls.clear()
    [reply] = facilitator.send("/summary")

    assert len(groupings) == 1, "the chart reuses the summary's themes: one grouping"
    assert embeddings.calls == [], "stored vectors: nothing embedded for the summary or its chart"
    assert reply.photo is not None and reply.photo.content.startswith(PNG)
    pixels = image.imread(io.BytesIO(reply.photo.content), format="png")
    height, width = pixels.shape[:2]
    assert width > 1000 and 200 < height < 10_000 - width  # drawn, and within Telegram's photo limits
    label, people = _first_theme(reply.text)
    assert people == 2, reply.text  # asha and neema said the same
    assert label in reply.photo.caption and f"({people} people)" in reply.photo.caption
    assert "Coastal tourism" in reply.photo.caption and len(reply.photo.caption) <= 1024
    assert 'Summary of "Coastal tourism"' in reply.text  # the text summary is still all there


def test_no_inputs_no_photo_and_a_stakeholder_is_refused_without_one(services: Services) -> None:
    facilitator, code = open_plan(services)
    [empty] = facilitator.send("/summary")
    assert empty.photo is None and "No inputs yet" in empty.text
    stakeholder = join_stakeholder(services, "asha", code)
    stakeholder.send(ANSWERS["asha"])
    refused = stakeholder.send("/summary")
    assert [r.photo for r in refused] == [None]
    assert refused[0].text == "Only facilitators of this plan can use /summary."


def test_the_stored_summary_keeps_its_photo_for_a_send_after_a_restart(services: Services) -> None:
    _workshop(services)
    items = services.engine.handle_durably(Person(key="cli:fatma"), Incoming(command="summary", source_id="s-1"))
    [item] = [i for i in items if i.reply.photo is not None]
    with services.db.session() as session:
        row = session.get(OutboxRow, item.id)
        assert row is not None
        stored: Reply = decode(row.payload)
    assert stored.photo == item.reply.photo and stored.text == item.reply.text  # the same bytes, caption and text


def test_export_md_sends_the_draft_and_its_charts_under_the_names_it_links(services: Services) -> None:
    facilitator, _ = _workshop(services)
    [reply] = facilitator.send("/export md")
    draft, *charts = reply.files
    assert draft.name.endswith(".md") and draft.mime_type == "text/markdown"
    assert charts and all(c.mime_type == "image/png" and c.content.startswith(PNG) for c in charts)
    markdown = draft.content.decode()
    assert all(f"]({c.name})" in markdown for c in charts), [c.name for c in charts]
    assert "PNG" in reply.text and "same folder" in reply.text
    [docx] = facilitator.send("/export docx")
    assert [f.name.rsplit(".", 1)[-1] for f in docx.files] == ["docx"]  # the DOCX embeds its charts
