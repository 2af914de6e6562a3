"""The JSON draft: versioned, round-trips to the same document, and bad input names the field that is wrong."""

from __future__ import annotations

import json

import pytest

from bot.errors import PlanbotError
from bot.export import SCHEMA, load_json, render_json, render_markdown
from bot.export.draft import Draft


def test_schema_first_and_round_trip(rich_draft: Draft) -> None:
    text = render_json(rich_draft)
    data = json.loads(text)
    assert next(iter(data)) == "schema" and data["schema"] == SCHEMA == "planbot.draft/2"
    loaded = load_json(text)
    assert loaded == rich_draft
    assert render_json(loaded) == text
    assert render_markdown(loaded) == render_markdown(rich_draft)


def test_empty_and_hostile_round_trip(empty_draft: Draft, hostile_draft: Draft) -> None:
    for draft in (empty_draft, hostile_draft):
        assert render_json(load_json(render_json(draft))) == render_json(draft)


def mutate(draft: Draft, change) -> str:
    data = json.loads(render_json(draft))
    change(data)
    return json.dumps(data)


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (
            lambda d: d["initiatives"][1]["scorecard"].__getitem__(2).update(status="great"),
            "field initiatives[1].scorecard[2].status",
        ),
        (lambda d: d["title"].pop("date"), "field title.date"),
        (lambda d: d["title"].update(date="14/03/2027"), "field title.date"),
        (lambda d: d["themes"][0].update(kind="Complaint!"), "field themes[0].kind"),
        (lambda d: d["themes"][0].update(people=-3), "field themes[0].people"),
        (lambda d: d.update(extra_notes="x"), "field extra_notes"),
        (lambda d: d["gathering"]["participants"][0].update(count="many"), "field gathering.participants[0].count"),
    ],
)
def test_bad_field_is_named(rich_draft: Draft, change, expected: str) -> None:
    with pytest.raises(PlanbotError) as caught:
        load_json(mutate(rich_draft, change), source="plan.json")
    message = str(caught.value)
    assert message.startswith(f"plan.json: {expected}:")
    assert "\n" not in message


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("{not json", "draft: not valid JSON (line 1, column 2"),
        ("", "draft: not valid JSON (line 1, column 1"),
        ("[1, 2]", "draft: a draft must be a JSON object, not list"),
        (
            '{"schema": "planbot.draft/3", "title": {}}',
            'draft: schema "planbot.draft/3" is not supported; expected one of "planbot.draft/2", "planbot.draft/1"',
        ),
        ('{"title": {}}', 'draft: no "schema" field; a planbot draft has "schema": "planbot.draft/2"'),
        (b"\xff\xfe{", "draft: not valid JSON"),
    ],
)
def test_broken_documents_are_one_line_errors(text: str | bytes, expected: str) -> None:
    with pytest.raises(PlanbotError) as caught:
        load_json(text)
    assert str(caught.value).startswith(expected)
    assert "\n" not in str(caught.value)


def as_version_1(draft: Draft) -> dict:
    """The draft as planbot wrote it before version 2: guidance quotes in every scorecard row, at most three
    quotes per theme, none of the fields version 2 added."""
    data = json.loads(render_json(draft))
    data["schema"] = "planbot.draft/1"
    quotes = {c["id"]: c["quote"] for c in data["criteria"]}
    data["gathering"].pop("by_kind")
    for theme in data["themes"]:
        theme["quotes"] = [
            {k: v for k, v in q.items() if k not in ("input_id", "question")} for q in theme["quotes"][:3]
        ]
    for name in data["influential_actors"] + data["aggregation_points"]:
        name.pop("said")
    for item in data["initiatives"]:
        item.pop("answered")
        for row in item["scorecard"]:
            row["quote"] = quotes[row["criterion"]]
    return data


def test_version_1_drafts_are_still_read(rich_draft: Draft) -> None:
    old = as_version_1(rich_draft)
    loaded = load_json(json.dumps(old), source="old.json")
    assert loaded.schema_ == SCHEMA
    assert [i.title for i in loaded.initiatives] == [i.title for i in rich_draft.initiatives]
    assert loaded.initiatives[0].scorecard == rich_draft.initiatives[0].scorecard  # the quotes went to the appendix
    assert loaded.initiatives[1].answered == []
    assert render_markdown(loaded).count(rich_draft.criteria[0].quote) == 1
    broken = {**old, "initiatives": [{**old["initiatives"][0], "verdict": "great"}]}
    with pytest.raises(PlanbotError, match=r"^old.json: field initiatives\[0\].verdict:"):
        load_json(json.dumps(broken), source="old.json")
