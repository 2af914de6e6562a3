"""The Markdown draft: sections, tables and ranking a reader sees, and stakeholder text that never becomes markup."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st
from markdown_it import MarkdownIt

from bot.export import escape_markdown, render_markdown
from bot.export.draft import Draft
from bot.export.layout import clean
from tests.export.conftest import HOSTILE

SECTIONS = [
    "Vision",
    "How the input was gathered",
    "Priority constraints and opportunities",
    "Influential actors and aggregation points",
    "Initiatives",
    "Plan-level check",
    "Open questions",
    "Appendix: the guidance criteria",
]


def parse(markdown: str) -> list:
    return MarkdownIt("commonmark").enable("table").parse(markdown)


def inline_text(token) -> str:
    return "".join(child.content for child in token.children or [])


def headings(tokens: list, tag: str) -> list[str]:
    return [inline_text(tokens[i + 1]) for i, t in enumerate(tokens) if t.type == "heading_open" and t.tag == tag]


def tables(tokens: list) -> list[list[list[str]]]:
    """Each table as rows of cell texts (header row first)."""
    found, rows, row, inside = [], [], [], False
    for token in tokens:
        if token.type == "table_open":
            rows = []
        elif token.type == "tr_open":
            row = []
        elif token.type in ("th_open", "td_open"):
            inside = True
        elif token.type == "inline" and inside:
            row.append(inline_text(token))
        elif token.type in ("th_close", "td_close"):
            inside = False
        elif token.type == "tr_close":
            rows.append(row)
        elif token.type == "table_close":
            found.append(rows)
    return found


def plain(tokens: list) -> str:
    """What a reader sees, one line per paragraph, heading, item or cell, markup removed."""
    return "\n".join(inline_text(token) for token in tokens if token.type == "inline")


def test_sections_in_reading_order(rich_draft: Draft) -> None:
    tokens = parse(render_markdown(rich_draft))
    assert headings(tokens, "h1") == ["Njombe Dairy Upgrading 2027: draft upgrading plan"]
    assert headings(tokens, "h2") == SECTIONS


def test_themes_ranked_by_people_with_anonymous_quotes(rich_draft: Draft) -> None:
    markdown = render_markdown(rich_draft)
    tokens = parse(markdown)
    constraints = tables(tokens)[1]
    assert [row[1] for row in constraints[1:]] == [
        "low price, dairy pays late",
        "milk spoils before reaching the dairy",
        "no feed in dry season",
    ]
    assert [row[2] for row in constraints[1:]] == ["21", "17", "6"]
    text = plain(tokens)
    assert '"dairy pay after 2 month, we cant wait" (a small producer)' in text
    assert '"dry season cows give 2 litre only" (a producer)' in text


def test_accepted_initiatives_first_with_scorecards(rich_draft: Draft) -> None:
    tokens = parse(render_markdown(rich_draft))
    h4 = headings(tokens, "h4")
    titles = [h for h in h4 if h.endswith(("(accepted)", "(proposed)"))]
    assert titles == [
        "1. Shared cooler at Ikuna collection centre (accepted)",
        "2. Grading milk at the collection centre (proposed)",
        "3. New processing line for one dairy (proposed)",
    ]
    scorecards = [t for t in tables(tokens) if t[0] == ["Criterion", "Status", "Evidence", "Guidance"]]
    assert len(scorecards) == 3
    assert all(len(t) == 1 + 8 for t in scorecards)
    assert scorecards[2][7][:2] == ["Industry-wide", "not met"]
    verdicts = [line for line in plain(tokens).splitlines() if line.startswith("Verdict:")]
    assert verdicts == ["Verdict: recommended", "Verdict: revise", "Verdict: not recommended"]


def test_participants_table_and_mse_share(rich_draft: Draft) -> None:
    tokens = parse(render_markdown(rich_draft))
    participants = tables(tokens)[0]
    assert participants[0][0] == "Actor type"
    assert participants[-1][0] == "Total" and participants[-1][-1] == "27"
    assert "23 of 27 participants are micro or small enterprises (85%)" in plain(tokens)


def test_open_questions_per_initiative(rich_draft: Draft) -> None:
    tokens = parse(render_markdown(rich_draft))
    h2 = headings(tokens, "h2")
    h3 = headings(tokens, "h3")
    after = h3[h3.index("Proposed initiatives") + 1 :]
    assert after == ["Grading milk at the collection centre", "New processing line for one dairy"]
    assert "Open questions" in h2
    assert "Promotes investment: What about promotes investment?" in plain(tokens)


def test_empty_plan_says_so_in_each_section(empty_draft: Draft) -> None:
    markdown = render_markdown(empty_draft)
    tokens = parse(markdown)
    assert headings(tokens, "h2") == SECTIONS
    # gathering, constraints, opportunities, influential, aggregation, initiatives, plan check, open questions
    assert markdown.count("No input gathered yet.") == 8
    appendix = tables(tokens)[-1]
    assert len(appendix) == 1 + 8


def test_hostile_text_stays_text(hostile_draft: Draft) -> None:
    markdown = render_markdown(hostile_draft)
    tokens = parse(markdown)
    kinds = {child.type for token in tokens for child in (token.children or [])} | {t.type for t in tokens}
    assert "html_inline" not in kinds and "html_block" not in kinds
    assert "link_open" not in kinds
    assert "code_inline" not in kinds
    html = MarkdownIt("commonmark").enable("table").render(markdown)
    assert "<script>" not in html and "<a " not in html and "<strong>bold" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert HOSTILE in plain(tokens)
    assert "\x07" not in markdown
    # the pipe does not add a column: every row of every table has as many cells as its header
    for table in tables(tokens):
        assert all(len(row) == len(table[0]) for row in table)
    # a description that starts like a list, a heading and a rule stays one paragraph of text
    assert "1. " + HOSTILE + " # heading ---" in plain(tokens)


def test_escape_markdown_neutralises_block_starts() -> None:
    assert escape_markdown("1. first") == "1\\. first"
    assert escape_markdown("- item") == "\\- item"
    assert escape_markdown("# title") == "\\# title"
    assert escape_markdown("> quote") == "\\> quote"
    assert escape_markdown("a\nb\r\nc") == "a b c"
    assert escape_markdown("see www.evil.com or https://evil") == "see www\\.evil.com or https\\://evil"


@given(st.text(alphabet=st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=80))
def test_escaped_text_renders_as_exactly_that_text(text: str) -> None:
    expected = " ".join(clean(text).split())
    tokens = parse(escape_markdown(text))
    types = {t.type for t in tokens}
    assert types <= {"paragraph_open", "inline", "paragraph_close"}
    children = [c for t in tokens for c in (t.children or [])]
    assert all(c.type == "text" for c in children)
    assert "".join(c.content for c in children) == expected
