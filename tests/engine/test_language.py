"""Each person reads planbot in their language: picked at joining (defaulting from their phone's language), changed
with /language, a plan's default with /planlanguage, forgotten with /forgetme; a missing sentence is English."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest
from sqlalchemy import select

import bot.cli.chat as chat_module
from bot.cli.app import main
from bot.cli.terminal import TranscriptAdapter
from bot.domain import Answer
from bot.engine import Person
from bot.messages import catalogue
from bot.storage.plan_models import PersonRow
from tests.engine.conftest import World
from tests.engine.test_chat_cli import _hashing_services, _scripted

SW = catalogue("sw")
FR = catalogue("fr")


def speaker(world: World, name: str, language: str | None = None) -> TranscriptAdapter:
    """Someone whose phone (Telegram's language_code) is set to `language`."""
    return TranscriptAdapter(world.engine, Person(key=f"cli:{name}", display_name=name.capitalize(), language=language))


def chosen(world: World, name: str) -> str | None:
    with world.db.session() as session:
        return session.scalar(select(PersonRow.chosen_language).where(PersonRow.key == f"cli:{name}"))


def test_a_swahili_phone_gets_the_interview_in_swahili(world: World, new_plan) -> None:
    _, code, _ = new_plan()
    juma = speaker(world, "juma", "sw")
    consent = juma.send(f"/start {code}")[-1]
    assert consent.text.endswith("Je, unakubali?")
    labels = [choice.label for choice in consent.choices]
    assert {"English", "Kiswahili", "Français"} <= set(labels) and labels[0] == "Nakubali"
    assert "Kazi yako katika mnyororo" in juma.tap("Nakubali")[-1].text
    juma.tap("Mzalishaji")
    juma.tap("Ndogo sana")
    first = juma.tap("Ruka")[-1]
    assert first.text == f"Swali 1 kati ya 8: {SW.text('interview.topics.constraints')}"
    assert [choice.label for choice in first.choices] == ["Kwa nini?", "Ruka", "Rudi"]
    assert juma.send("/help")[0].text.startswith("Amri unazoweza kutumia:")
    assert chosen(world, "juma") is None  # reading on in the phone's language is not a choice


def test_language_switches_the_next_question_and_is_kept(world: World, new_plan) -> None:
    _, code, _ = new_plan()
    awa = speaker(world, "awa", "en")
    awa.send(f"/start {code}")
    awa.tap("I agree")
    awa.tap("Producer")
    awa.tap("Micro")
    assert "Question 1 of 8" in awa.tap("Skip")[-1].text
    asked = awa.send("/language")[0]
    assert [choice.label for choice in asked.choices] == ["English", "Kiswahili", "Français"]
    switched = awa.tap("Français")
    assert switched[0].text == FR.text("language.set", language="Français")
    assert switched[-1].text == f"Question 1 sur 8 : {FR.text('interview.topics.constraints')}"
    assert chosen(world, "awa") == "fr"
    # kept in the store: a new engine (a restart) still speaks French, whatever the phone says
    world.restart()
    awa.engine = world.engine
    assert "Question 2 sur 8" in awa.send("les routes sont mauvaises")[-1].text
    assert awa.send("/language sw")[-1].text.startswith("Swali 2 kati ya 8:")
    unknown = awa.send("/language klingon")[0]
    assert unknown.text == SW.text("language.unknown", given="klingon") and len(unknown.choices) == 3
    assert chosen(world, "awa") == "sw"


def test_the_language_picked_at_joining_redoes_the_consent_in_it(world: World, new_plan) -> None:
    _, code, _ = new_plan()
    eva = speaker(world, "eva")  # no language from the transport: English
    assert eva.send(f"/start {code}")[-1].text.endswith("Do you agree?")
    replies = eva.tap("Kiswahili")
    assert replies[0].text == SW.text("language.set", language="Kiswahili")
    assert replies[-1].text.endswith("Je, unakubali?")
    assert "Kiswahili" not in [choice.label for choice in replies[-1].choices]  # chosen: no more language buttons
    assert chosen(world, "eva") == "sw"


def test_a_plan_default_speaks_to_those_who_have_not_chosen(world: World, new_plan) -> None:
    facilitator, code, _ = new_plan()
    assert "/planlanguage" in facilitator.send("/help")[0].text
    ask = facilitator.send("/planlanguage")[0]
    assert "English" in ask.text and [c.label for c in ask.choices] == ["English", "Kiswahili", "Français"]
    assert (
        facilitator.tap("Français")[0].text
        == 'People in "Coast tourism" who have not chosen a language now get Français.'
    )
    # the facilitator's own language does not change with the plan's
    assert facilitator.send("/help")[0].text.startswith("Commands you can use:")
    assert speaker(world, "ali", "en").send(f"/start {code}")[-1].text.endswith("Êtes-vous d'accord ?")
    assert speaker(world, "zuhura", "sw").send(f"/start {code}")[-1].text.endswith("Je, unakubali?")  # the phone's
    picked = speaker(world, "ken", "en")
    picked.send("/language en")
    assert picked.send(f"/start {code}")[-1].text.endswith("Do you agree?")  # their own pick wins
    stakeholder = speaker(world, "sam")
    stakeholder.send(f"/start {code}")
    stakeholder.tap("Je suis d'accord")
    refused = stakeholder.send("/planlanguage sw")[0]
    assert refused.error and refused.text == FR.text("engine.facilitator_only", command="planlanguage")


def test_forgetme_deletes_the_language_with_the_rest(world: World, new_plan) -> None:
    _, code, _ = new_plan()
    lea = speaker(world, "lea")
    lea.send(f"/start {code}")
    lea.tap("Français")
    assert chosen(world, "lea") == "fr"
    lea.send("/forgetme")
    assert lea.tap("Oui, tout effacer")[-1].text == FR.text("engine.forgotten")
    with world.db.session() as session:
        assert session.scalar(select(PersonRow).where(PersonRow.key == "cli:lea")) is None
    assert lea.send(f"/start {code}")[-1].text.endswith("Do you agree?")  # a stranger again: the default


def test_a_sentence_missing_in_swahili_is_said_in_english(
    world: World, new_plan, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    _, code, _ = new_plan()
    monkeypatch.delitem(SW.raw("interview.topics"), "constraints")  # as if the translator had missed it
    juma = speaker(world, "juma", "sw")
    juma.send(f"/start {code}")
    juma.tap("Nakubali")
    juma.tap("Mzalishaji")
    juma.tap("Ndogo sana")
    with caplog.at_level(logging.WARNING, logger="bot.messages"):
        first = juma.tap("Ruka")[-1]
    english = catalogue("en").text("interview.topics.constraints")
    assert first.text == f"Swali 1 kati ya 8: {english}"  # the rest of the message stays Swahili
    assert any("interview.topics.constraints" in record.getMessage() for record in caplog.records)


def test_reminders_reach_each_stakeholder_in_their_language(world: World, new_plan) -> None:
    facilitator, code, _ = new_plan()
    juma = speaker(world, "juma", "sw")
    juma.send(f"/start {code}")
    juma.tap("Nakubali")
    juma.tap("Mzalishaji")
    juma.tap("Ndogo sana")
    juma.tap("Ruka")
    replies = facilitator.send("/remind")
    [reminder] = [reply for reply in replies if reply.to == "cli:juma"]
    assert reminder.text.startswith(SW.text("groups.remind_text", plan="Coast tourism"))
    assert "Swali 1 kati ya 8" in reminder.text
    assert replies[0].text.startswith("Reminding 1 stakeholders")  # the facilitator's own language


def test_chat_language_option(clean_env: Path, monkeypatch: pytest.MonkeyPatch, capsys) -> None:
    monkeypatch.setenv("PLANBOT_DATA_DIR", str(clean_env / "data"))
    _hashing_services(monkeypatch)
    monkeypatch.setattr(chat_module, "_typed_lines", _scripted(["/help"], {}))
    assert main(["chat", "--language", "sw"]) == 0
    screen = capsys.readouterr().out
    assert SW.text("chat.banner") in screen and "Amri unazoweza kutumia:" in screen


class NotCovered:
    """The offline answerer's reply to a question the guidance does not cover (its frame is English)."""

    def ask(self, question: str, plan_id: int | None = None) -> Answer:
        return Answer(answer=catalogue("en").text("answer.not_covered"), covered=False, citations=[])


def test_a_question_mid_interview_is_answered_in_the_person_language(world: World, new_plan) -> None:
    _, code, _ = new_plan()
    world.engine.providers.answerer = NotCovered()
    juma = speaker(world, "juma", "sw")
    juma.send(f"/start {code}")
    juma.tap("Nakubali")
    juma.tap("Mzalishaji")
    juma.tap("Ndogo sana")
    juma.tap("Ruka")
    answer, again = juma.send("bei ya mbolea ni ngapi?")
    assert answer.text == SW.text("answer.not_covered")
    assert again.text.startswith(SW.text("engine.answer_then_continue"))
