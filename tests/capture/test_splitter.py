"""Splitting a message into atomic inputs, each kept in the words as written."""

from __future__ import annotations

import re

from bot.capture.splitter import split_message, summarise

BECAUSE = re.compile(r"because|so that", re.IGNORECASE)


def texts(message: str) -> list[str]:
    return [segment.text for segment in split_message(message, BECAUSE)]


def test_sentences_become_separate_inputs() -> None:
    assert texts("Feed is too expensive. The vet is far from us!") == [
        "Feed is too expensive.",
        "The vet is far from us!",
    ]


def test_semicolon_and_also_and_line_breaks_split() -> None:
    assert texts("no cold room; transport expensive") == ["no cold room", "transport expensive"]
    assert texts("no training on pruning, and also no money for sprays") == [
        "no training on pruning",
        "no money for sprays",
    ]
    assert texts("roads bad\nbuyers pay late") == ["roads bad", "buyers pay late"]


def test_bullets_and_numbered_lists_split_without_their_markers() -> None:
    assert texts("- the market\n* the SACCO\n• the mill") == ["the market", "the SACCO", "the mill"]
    assert texts("1) no cold room 2) transport very expensive 3) buyers pay late") == [
        "no cold room",
        "transport very expensive",
        "buyers pay late",
    ]
    assert texts("1. bad roads\n2. no credit") == ["bad roads", "no credit"]


def test_leading_joiner_is_dropped_but_words_stay_verbatim() -> None:
    message = "feed prices too high. also vet is far from us"
    segments = split_message(message)
    assert [s.text for s in segments] == ["feed prices too high.", "vet is far from us"]
    for segment in segments:
        assert message[segment.start : segment.end] == segment.text


def test_explanation_joins_the_sentence_before() -> None:
    assert texts("We sell at harvest. Because we have no store.") == ["We sell at harvest. Because we have no store."]


def test_abbreviations_do_not_end_a_sentence() -> None:
    assert texts("Mr. Okello decides the grades.") == ["Mr. Okello decides the grades."]


def test_empty_and_symbol_only_messages_have_no_segment() -> None:
    assert texts("") == []
    assert texts("   \n\t ") == []
    assert texts("👍👍 !!") == []


def test_summary_is_short_clean_and_invents_no_word() -> None:
    text = "- the road is very bad in rainy season and also the milk spoils before we reach the centre, daily."
    summary = summarise(text)
    assert len(summary) <= 80
    assert summary.startswith("The road is very bad")
    words = {w.lower() for w in re.findall(r"\w+", text)}
    assert {w.lower() for w in re.findall(r"\w+", summary)} <= words
    assert summarise("no cooler.") == "No cooler"


def test_two_problems_joined_by_and_are_two_inputs_but_a_list_of_things_is_one() -> None:
    two = split_message("fuel for the engines costs too much and the prices of fish at the beach are low")
    assert [s.text for s in two] == ["fuel for the engines costs too much", "the prices of fish at the beach are low"]
    assert len(split_message("we sell milk and cheese to the hotels")) == 1
    assert len(split_message("milk and eggs")) == 1
