"""Every language says every sentence: sw and fr have each English key, the same {placeholders}, the same HTML
tags and the same /commands; a key a language lacks is said in English (and logged), never lost."""

from __future__ import annotations

import logging
import re
from typing import Any

import pytest

from bot.messages import DEFAULT_LANGUAGE, LANGUAGES, Catalogue, catalogue, language_code, placeholders

TRANSLATED = [language for language in LANGUAGES if language != DEFAULT_LANGUAGE]
TAG = re.compile(r"</?[A-Za-z][^<>]*>")
COMMAND = re.compile(r"(?<![\w/])/([a-z]{3,})\b")  # /help, /mine ... (not a path like ~/.pgpass or a/b)
COMMANDS = {*catalogue(DEFAULT_LANGUAGE).raw("engine.help"), "quit", "exit"}


def _commands(text: str) -> list[str]:
    """The planbot commands a sentence names; they stay as they are in every language."""
    return sorted(name for name in COMMAND.findall(text) if name in COMMANDS)


def _forms(leaf: Any) -> dict[str, str]:
    """A sentence, or the forms of a plural message ({by, one, other}) by name."""
    if isinstance(leaf, dict):
        return {name: value for name, value in leaf.items() if name != "by"}
    return {"": leaf}


def _differences(language: str) -> list[str]:
    english = catalogue(DEFAULT_LANGUAGE).leaves()
    other = catalogue(language).leaves()
    problems = [f"{key}: missing" for key in english if key not in other]
    problems += [f"{key}: not in English" for key in other if key not in english]
    for key, leaf in english.items():
        if key not in other:
            continue
        theirs = other[key]
        if isinstance(leaf, dict) != isinstance(theirs, dict):
            problems.append(f"{key}: a plural in one language only")
            continue
        if isinstance(leaf, dict) and leaf.get("by") != theirs.get("by"):
            problems.append(f"{key}: plural by {theirs.get('by')!r}, English by {leaf.get('by')!r}")
        ours, translated = _forms(leaf), _forms(theirs)
        for form, text in ours.items():
            said = translated.get(form)
            if not isinstance(said, str) or not said.strip():
                problems.append(f"{key}{'.' + form if form else ''}: empty")
                continue
            if sorted(placeholders(said)) != sorted(placeholders(text)):
                problems.append(f"{key}: placeholders {placeholders(said)} differ from {placeholders(text)}")
            if sorted(TAG.findall(said)) != sorted(TAG.findall(text)):
                problems.append(f"{key}: HTML tags {TAG.findall(said)} differ from {TAG.findall(text)}")
            if _commands(said) != _commands(text):
                problems.append(f"{key}: commands {_commands(said)} differ from {_commands(text)}")
    return problems


@pytest.mark.parametrize("language", TRANSLATED)
def test_a_translation_has_every_key_placeholder_tag_and_command_of_english(language: str) -> None:
    assert catalogue(language).language == language, f"prompts/messages/{language}.yaml is missing"
    assert _differences(language) == []


@pytest.mark.parametrize("language", TRANSLATED)
def test_a_translation_is_not_english_left_in_place(language: str) -> None:
    """The sentences a stakeholder reads first are really translated (a copy of en.yaml would pass the key test)."""
    english, other = catalogue(DEFAULT_LANGUAGE), catalogue(language)
    for key in (
        "engine.consent",
        "engine.welcome",
        "interview.topics.constraints",
        "interview.done",
        "engine.help.mine",
    ):
        assert other.text(key) != english.text(key), key


def test_every_catalogue_names_the_languages_in_their_own_words() -> None:
    for language in LANGUAGES:
        names = [catalogue(language).text(f"language.names.{code}") for code in LANGUAGES]
        assert names == ["English", "Kiswahili", "Français"]


def test_a_missing_key_is_said_in_english_and_logged_once(caplog: pytest.LogCaptureFixture) -> None:
    english = Catalogue({"hello": "Hello {name}", "bye": "Bye"})
    swahili = Catalogue({"bye": "Kwa heri"}, fallback=english, language="sw")
    with caplog.at_level(logging.WARNING, logger="bot.messages"):
        assert swahili.text("hello", name="Asha") == "Hello Asha"
        assert swahili.text("hello", name="Juma") == "Hello Juma"
        assert swahili.text("bye") == "Kwa heri"
    missing = [record for record in caplog.records if "'hello'" in record.getMessage()]
    assert len(missing) == 1 and "'sw'" in missing[0].getMessage()


def test_a_language_planbot_lacks_is_english_and_tags_name_their_catalogue() -> None:
    assert catalogue("xx").text("answer.intro") == catalogue().text("answer.intro")
    assert [language_code(code) for code in ("sw", "fr-CA", "SW", "en-GB", "de", None, "")] == [
        "sw",
        "fr",
        "sw",
        "en",
        None,
        None,
        None,
    ]


@pytest.mark.parametrize("language", LANGUAGES)
def test_interview_questions_stay_short_in_every_language(language: str) -> None:
    """A small trader on a cheap phone reads one short question, in any language."""
    topics = catalogue(DEFAULT_LANGUAGE).raw("interview.topics")
    for key in topics:
        question = catalogue(language).text(f"interview.topics.{key}")
        assert len(question.split()) <= 25 and "?" in question, (language, question)
