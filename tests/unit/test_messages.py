from bot.messages import Catalogue, catalogue


def test_plural_messages_pick_their_form() -> None:
    messages = Catalogue({"seen": {"by": "people", "one": "1 person", "other": "{people} people"}})
    assert messages.text("seen", people=1) == "1 person"
    assert messages.text("seen", people=3) == "3 people"


def test_a_language_without_a_message_falls_back_to_english() -> None:
    english = Catalogue({"hello": "Hello"})
    french = Catalogue({}, fallback=english)
    assert french.text("hello") == "Hello"


def test_the_shipped_catalogue_has_the_contract_sentences() -> None:
    assert "does not cover" in catalogue().text("answer.not_covered")
    assert catalogue("xx").text("answer.intro") == catalogue().text("answer.intro")
