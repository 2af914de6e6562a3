from bot.messages import Catalogue, catalogue


def test_plural_messages_pick_their_form() -> None:
    messages = Catalogue({"seen": {"by": "people", "one": "1 person", "other": "{people} people"}})
    assert messages.text("seen", people=1) == "1 person"
    assert messages.text("seen", people=3) == "3 people"


def test_an_added_document_counts_its_passages_in_words_that_agree() -> None:
    one = catalogue().text("engine.document_added", name="rules.pdf", chunks=1)
    assert "(1 passage)" in one
    assert "(4 passages)" in catalogue().text("engine.document_added", name="rules.pdf", chunks=4)


def test_a_language_without_a_message_falls_back_to_english() -> None:
    english = Catalogue({"hello": "Hello"})
    french = Catalogue({}, fallback=english)
    assert french.text("hello") == "Hello"


def test_the_shipped_catalogue_has_the_contract_sentences() -> None:
    assert "does not cover" in catalogue().text("answer.not_covered")
    assert catalogue("xx").text("answer.intro") == catalogue().text("answer.intro")
