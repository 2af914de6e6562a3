from pathlib import Path

from bot.knowledge.chunking import content_hash, split_markdown
from bot.knowledge.loaders import plain_text_to_markdown
from bot.knowledge.service import GUIDANCE_FILE

SHARED_GUIDANCE = Path(__file__).resolve().parents[3] / "shared" / "knowledge" / "upgrading-plan-guidance.txt"


def _words(text: str) -> list[str]:
    return text.replace("•", " ").replace("#", " ").replace("- ", " ").split()


def test_shipped_guidance_keeps_the_wording_of_the_source() -> None:
    shipped = GUIDANCE_FILE.read_text(encoding="utf-8")
    assert shipped.startswith("# 3.3.2. Upgrading Plan")
    if SHARED_GUIDANCE.exists():
        assert _words(shipped) == _words(SHARED_GUIDANCE.read_text(encoding="utf-8"))


def test_each_bullet_is_one_whole_passage_with_its_section() -> None:
    passages = split_markdown(GUIDANCE_FILE.read_text(encoding="utf-8"))
    bullets = [line[2:] for line in GUIDANCE_FILE.read_text(encoding="utf-8").splitlines() if line.startswith("- ")]
    texts = [p.text for p in passages]
    for bullet in bullets:
        assert sum(bullet in text for text in texts) == 1, bullet[:40]
    assert {p.section for p in passages} == {"3.3.2. Upgrading Plan"}
    assert [p.position for p in passages] == list(range(len(passages)))


def test_long_paragraphs_are_cut_between_sentences_only() -> None:
    sentences = [f"Sentence number {n} talks about the dairy cooperative and its milk collection." for n in range(40)]
    passages = split_markdown("# Notes\n\n" + " ".join(sentences) + "\n", max_chars=300)
    assert len(passages) > 1
    for passage in passages:
        assert len(passage.text) <= 300
        assert passage.text.endswith(".")
        assert passage.text.startswith("Sentence number")
    assert " ".join(p.text for p in passages) == " ".join(sentences)


def test_nested_headings_name_the_nearest_section() -> None:
    markdown = (
        "# Plan\n\nIntro paragraph that is long enough to stand alone.\n\n"
        "## Dairy\n\n- Milk cools too slowly at collection.\n"
    )
    passages = split_markdown(markdown)
    assert [(p.section, p.text) for p in passages] == [
        ("Plan", "Intro paragraph that is long enough to stand alone."),
        ("Dairy", "- Milk cools too slowly at collection."),
    ]


def test_content_hash_ignores_line_endings_but_not_words() -> None:
    assert content_hash("a line\r\nnext  \n") == content_hash("a line\nnext\n")
    assert content_hash("a line") != content_hash("a lime")


def test_plain_text_structure_becomes_markdown() -> None:
    text = "3.3.2. Upgrading Plan\n\nIntro text.\n\n  • first bullet;\n  • second bullet.\n"
    assert (
        plain_text_to_markdown(text) == "# 3.3.2. Upgrading Plan\n\nIntro text.\n\n- first bullet;\n- second bullet.\n"
    )


def test_a_long_passage_is_quoted_by_its_sentences_that_answer() -> None:
    from bot.answers import quote_of

    filler = " ".join(f"Sentence {n} is about the district budget and roads." for n in range(12))
    text = f"{filler} The cooling centre closes at five so the evening milk is lost. {filler}"
    quote = quote_of(text, "why is the evening milk lost at the cooling centre?")
    assert "The cooling centre closes at five so the evening milk is lost." in quote
    assert len(quote) <= 450 and quote in " ".join(text.split())
    assert quote_of("- A short bullet;", "anything") == "A short bullet;"
