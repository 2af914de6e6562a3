"""The offline phrase extractor on answers as stakeholders type them (the demo's and issue 13's own examples)."""

from __future__ import annotations

import pytest

from bot.proposals import phrases


@pytest.mark.parametrize(
    ("said", "names"),
    [
        (
            "the chairman of the hotel association, all the big hotels follow him",
            ["the chairman of the hotel association"],
        ),
        ("the village chief, people listen to him about the beach", ["the village chief"]),
        (
            "the village chief and the hotel association chairman",
            ["the village chief", "the hotel association chairman"],
        ),
        ("the lead fisherman Bakari, the young fishers copy what he does", ["Bakari, the lead fisherman"]),
        ("the district tourism officer, he gives the licences", ["the district tourism officer"]),
        ("mzee Omari the beach management chairman, people listen him", ["Mzee Omari, the beach management chairman"]),
        ("the cooperative chairman, everybody trust him", ["the cooperative chairman"]),
        ("the big buyers agents from Dar, all mills follow their price", ["the big buyers agents from Dar"]),
        ("the women group leader mama Amina", ["Mama Amina, the women group leader"]),
    ],
)
def test_names_are_clean_and_split(said: str, names: list[str]) -> None:
    assert phrases.names(said) == names
    assert all(phrases.is_clean_noun_phrase(name) for name in names)


@pytest.mark.parametrize(
    ("said", "speaker", "place"),
    [
        ("the fish landing site where every hotel buys fish in the morning", None, "the fish landing site"),
        ("the fish landing site, all 200 fishers sell there", None, "the fish landing site"),
        ("our branch, we finance most of the hotels and the cooperative", "bank", "the bank branch"),
        ("the council office where all the businesses get their permits", None, "the council office"),
        ("our dairy plant buys from 3000 farmers", "processor", "the dairy plant"),
        ("the SACCO, most dairy farmers save there", None, "the SACCO"),
        ("the bank that finances most coffee AMCOS", None, "the bank"),
        ("our women group meet every friday", None, "the women group"),
        ("Singida central market on saturday", None, "Singida central market"),
    ],
)
def test_places_are_clean_noun_phrases(said: str, speaker: str | None, place: str) -> None:
    assert phrases.place(said, speaker) == place
    assert phrases.is_clean_noun_phrase(place)


def test_an_idea_becomes_a_verb_phrase_in_the_facilitators_voice() -> None:
    cleanup = phrases.action("all hotels on the strip could clean the beach together once a week")
    assert cleanup is not None
    assert (cleanup.subject, cleanup.verb_phrase) == ("all hotels on the strip", "clean the beach together once a week")
    committee = phrases.action("a beach management committee with hotels, fishers and the council")
    assert committee is not None and committee.stated_as_thing
    assert committee.verb_phrase == "form a beach management committee"
    room = phrases.action("a shared cold room at the landing site run by the cooperative")
    assert room is not None and room.verb_phrase == "set up a shared cold room"
    grading = phrases.action("grade coffee at the station and sell to different buyers")
    assert grading is not None and grading.verb_phrase == "grade coffee and sell to different buyers"
    step = phrases.action("start with one joint clean up day before easter, low cost", limit=10)
    assert step is not None and step.verb_phrase == "start with one joint clean up day before Easter"


@pytest.mark.parametrize(
    ("said", "topic"),
    [
        (
            "plastic and seaweed on the beach every morning, guests complain and leave bad reviews",
            "plastic and seaweed on the beach",
        ),
        ("no ice at the landing site, fish spoil before the hotels buy it", "the lack of ice at the landing site"),
        (
            "the road to the reef beach is very bad in rainy season, tourists cancel trips",
            "the bad road to the reef beach",
        ),
        ("hotels want fresh fish every day and pay better for good quality", "demand for fresh fish"),
        ("small firms here have no records so we cannot give them loans", "the lack of records"),
        ("beach boys harass tourists, they fear to walk", None),
    ],
)
def test_a_problem_is_named_by_a_noun_phrase_or_not_at_all(said: str, topic: str | None) -> None:
    assert phrases.topic(said) == topic


def test_times_numbers_and_groups() -> None:
    [soon] = phrases.times(phrases.tokens("an ice box at the landing site in the next three months"))
    assert soon.text == "in the next three months" and soon.months == 3 and not soon.frequency
    [weekly] = phrases.times(phrases.tokens("clean the beach together once a week"))
    assert weekly.frequency and weekly.months is None
    assert phrases.times(phrases.tokens("the Saturday market where everybody meets")) == []
    assert phrases.times(phrases.tokens("start with one joint clean up day before easter"))[0].text == "before Easter"
    assert phrases.benefit("a clean beach for the high season in july") == "a clean beach"
    assert phrases.groups("the fish landing site, all 200 fishers sell there") == ["all 200 fishers"]
    assert phrases.groups("small guesthouses could sell rooms together on one website") == ["small guesthouses"]
    assert phrases.groups("the big hotels follow him") == []


def test_pledges_say_who_puts_in_what_and_on_which_condition() -> None:
    [savings] = phrases.pledges("the cooperative can put some savings if the bank gives a loan")
    assert (savings.who, savings.what, savings.condition) == (
        "the cooperative",
        "some savings",
        "if the bank gives a loan",
    )
    [time] = phrases.pledges("we cannot pay much but we can give our time for the clean up")
    assert time.who is None and time.what == "their time for the clean up"  # "we cannot pay much" pledges nothing
    land, trucks = phrases.pledges("we can give land for the cold room and pay for waste trucks one day a week")
    assert land.what == "land for the cold room" and trucks.what == "waste trucks one day a week"
    [website] = phrases.pledges("we can share cost of the website")
    assert (website.verb, website.what) == ("share the cost of", "the website")


@pytest.mark.parametrize(
    "value",
    [
        "our branch, we finance most of the hotels and the cooperative",
        "the chairman of the hotel association, all the big hotels follow him",
        "plastic and seaweed on the beach every morning, guests complain and leave bad re",
        "For money, almost all cooperatives borrow their crop finance from …",
        "the rest at the",
        '"the village chief"',
    ],
)
def test_what_is_not_a_clean_noun_phrase(value: str) -> None:
    assert not phrases.is_clean_noun_phrase(value)


def test_copied_runs_count_words_in_a_row() -> None:
    said = "plastic and seaweed on the beach every morning, guests complain and leave bad reviews"
    assert phrases.copied_run("Act together on plastic and seaweed on the beach", said) == 6
    assert phrases.copied_run(said, said) == 14
    assert phrases.copied_run("nothing alike", said) == 0
