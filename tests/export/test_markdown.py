"""The Markdown draft: sections, tables and ranking a reader sees, and stakeholder text that never becomes markup."""

from __future__ import annotations

import re

from hypothesis import given
from hypothesis import strategies as st
from markdown_it import MarkdownIt

from bot.export import escape_markdown, render_markdown
from bot.export.draft import Draft, DraftTheme, KindCount, Quote
from bot.export.layout import clean
from tests.export.conftest import HOSTILE

SECTIONS = [
    "Vision",
    "How the input was gathered",
    "Priority constraints and opportunities",
    "Ideas from the stakeholders",
    "Influential actors and aggregation points",
    "Initiatives",
    "Plan-level check",
    "Appendix 1: What the stakeholders said",
    "Appendix 2: The guidance criteria",
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
    scorecards = [t for t in tables(tokens) if t[0] == ["Criterion", "Status", "Evidence"]]
    assert len(scorecards) == 3
    # the criteria each initiative settles, with their evidence; the open ones are questions to settle
    assert [len(t) - 1 for t in scorecards] == [8, 3, 2]
    assert scorecards[2][1:] == [
        ["Promotes investment", "met", "evidence for investment"],
        ["Industry-wide", "not met", "evidence for industry_wide"],
    ]
    verdicts = [line for line in plain(tokens).splitlines() if line.startswith("Verdict:")]
    assert verdicts == ["Verdict: recommended", "Verdict: revise", "Verdict: not recommended"]


def test_scorecards_do_not_repeat_the_guidance(rich_draft: Draft) -> None:
    markdown = render_markdown(rich_draft)
    for criterion in rich_draft.criteria:
        assert markdown.count(escape_markdown(criterion.quote)) == 1  # once, in the appendix
    appendix = tables(parse(markdown))[-1]
    assert appendix[0] == ["Criterion", "Met when the initiative", "The guidance says"]
    assert [row[0] for row in appendix[1:]] == [c.label for c in rich_draft.criteria]


def test_one_sentence_settling_several_criteria_is_written_once(rich_draft: Draft) -> None:
    cooler = rich_draft.initiatives[1]
    for row in cooler.scorecard[:3]:
        row.evidence = "The cooperative and the SACCO co-finance a 3,000 litre cooler"
    scorecard = next(t for t in tables(parse(render_markdown(rich_draft))) if t[0][0] == "Criterion")
    assert scorecard[1] == [
        "Promotes investment; Fosters learning among firms; Small steps, manageable risk",
        "met",
        "The cooperative and the SACCO co-finance a 3,000 litre cooler",
    ]


def test_fields_nobody_gave_are_left_out(rich_draft: Draft) -> None:
    text = plain(parse(render_markdown(rich_draft)))
    assert "not given" not in text.lower()
    grading = text[text.index("2. Grading milk") : text.index("3. New processing line")]
    assert "Lead actor" not in grading and "Investment:" not in grading and "Risk" not in grading
    assert "Actors: collection centre, producers" in grading
    assert "First benefits: first graded payment in 1 month" in grading


def test_questions_to_settle_under_each_initiative(rich_draft: Draft) -> None:
    text = plain(parse(render_markdown(rich_draft)))
    grading = text[text.index("2. Grading milk") : text.index("3. New processing line")]
    assert "To settle at the meeting:" in grading
    assert "Promotes investment: What about promotes investment?" in grading
    cooler = text[text.index("1. Shared cooler") : text.index("2. Grading milk")]
    assert "To settle at the meeting:" not in cooler  # every criterion settled


def test_answered_follow_up_is_a_question_with_its_answer(rich_draft: Draft) -> None:
    text = plain(parse(render_markdown(rich_draft)))
    cooler = text[text.index("1. Shared cooler") : text.index("2. Grading milk")]
    assert "Answered at the check:" in cooler
    assert 'When will the stakeholders see the first benefit? Answer: "the evening milk is sold from month 2"' in cooler
    assert "The cooperative and the SACCO co-finance a 3,000 litre cooler." in cooler.splitlines()


def test_ideas_grouped_by_the_question_they_answer(rich_draft: Draft) -> None:
    tokens = parse(render_markdown(rich_draft))
    h3 = headings(tokens, "h3")
    assert h3[h3.index("Ideas") : h3.index("Ideas") + 3] == ["Ideas", "First small steps", "What they would invest"]
    text = plain(tokens)
    assert '"one cooler for the village" (a micro producer)' in text
    assert '"we can pay 5000 each" (a small producer)' in text
    assert '"start with the evening milk" (a trader)' in text


def test_named_actors_with_every_mention(rich_draft: Draft) -> None:
    named = [t for t in tables(parse(render_markdown(rich_draft))) if t[0][0] == "Name"]
    assert named[0][0] == ["Name", "People", "In their words"]
    assert named[0][1] == ["ASAS Dairies", "15", ""]
    assert named[0][2] == [
        "Mzee Kihwele, lead farmer in Ikuna",
        "11",
        "\u201cMzee Kihwele, everyone copies him\u201d; \u201cmzee kihwele\u201d",
    ]
    assert named[1][1] == ["Ikuna milk collection centre", "19", ""]  # the one mention is the name itself


def test_counts_in_plain_words(rich_draft: Draft) -> None:
    text = plain(parse(render_markdown(rich_draft)))
    assert (
        "27 participants gave 86 inputs: 63 constraints, 10 opportunities, 3 ideas, 7 influential actors and "
        "3 aggregation points." in text
    )
    g = rich_draft.gathering
    g.participants = [g.participants[0].model_copy(update={"count": 1})]
    g.inputs, g.by_kind = 1, [g.by_kind[0].model_copy(update={"inputs": 1, "people": 1})]
    feed = rich_draft.themes[2]
    feed.quotes.append(feed.quotes[0].model_copy(update={"text": "no grass"}))
    feed.people, feed.inputs = 1, 2
    text = plain(parse(render_markdown(rich_draft)))
    assert "1 participant gave 1 input: 1 constraint." in text
    assert "1 of 1 participant is a micro or small enterprise (100%)" in text
    assert "Raised by 1 person (2 inputs): Producer (6)." in text
    assert not re.search(r"\b1 (participants|inputs|people|constraints)\b", text)


def test_participants_table_and_mse_share(rich_draft: Draft) -> None:
    tokens = parse(render_markdown(rich_draft))
    participants = tables(tokens)[0]
    assert participants[0][0] == "Actor type"
    assert participants[-1][0] == "Total" and participants[-1][-1] == "27"
    assert "23 of 27 participants are micro or small enterprises (85%)" in plain(tokens)


def test_empty_plan_says_so_in_each_section(empty_draft: Draft) -> None:
    markdown = render_markdown(empty_draft)
    tokens = parse(markdown)
    assert headings(tokens, "h2") == SECTIONS
    # gathering, constraints, opportunities, ideas, influential, aggregation, initiatives, plan check, appendix 1
    assert markdown.count("No input gathered yet.") == 9
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


def test_a_kind_added_later_is_not_dropped(rich_draft: Draft) -> None:
    rich_draft.themes.append(
        DraftTheme(
            kind="quick_win", label="ice box in three months", people=1, inputs=1, quotes=[Quote(text="ice box")]
        )
    )
    rich_draft.gathering.by_kind.append(KindCount(kind="quick_win", inputs=1, people=1))
    tokens = parse(render_markdown(rich_draft))
    assert "Quick win" in headings(tokens, "h3")
    text = plain(tokens)
    assert "and 1 input of the kind quick win." in text
    assert '"ice box" (a stakeholder)' in text  # in appendix 1
