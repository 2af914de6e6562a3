"""A structured proposal written out as the initiative text the checker reads (and people see)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from bot.checker.models import ScopedText
from bot.domain import CriterionId
from bot.proposals.models import ProposalFields
from bot.proposals.patterns import Render
from bot.proposals.phrases import capital


def render(fields: ProposalFields, words: Render) -> str:
    """One sentence a field that holds a value, in field order; open fields are left out (their questions are
    kept apart, so a question is never read as evidence)."""
    return str(scoped(fields, words, {}))


def scoped(fields: ProposalFields, words: Render, scopes: Mapping[str, Sequence[CriterionId]]) -> ScopedText:
    """The same text, each field's sentence carrying the criteria it may decide (`scopes`, by field name; a
    field not named may decide any): "First benefit: ..." is never evidence of investment."""
    return ScopedText((text, scopes.get(name)) for name, text in field_parts(fields, words))


def field_parts(fields: ProposalFields, words: Render) -> list[tuple[str, str]]:
    """(field name, its sentence) for each field that holds a value, in the order the text gives them."""
    parts: list[tuple[str, str]] = []
    if fields.what.value:
        parts.append(("what", _sentence(fields.what.value)))
    if fields.lead.value:
        parts.append(("lead", words.lead.format(value=fields.lead.value, detail=fields.lead.detail or "")))
    if fields.where.value:
        parts.append(("where", words.where.format(value=fields.where.value, detail=fields.where.detail or "")))
    if fields.first_step.value:
        parts.append(("first_step", words.first_step.format(value=fields.first_step.value)))
    if fields.benefit.value:
        if fields.when.value:
            parts.append(("benefit", words.benefit_when.format(value=fields.benefit.value, when=fields.when.value)))
        else:
            parts.append(("benefit", words.benefit.format(value=fields.benefit.value)))
    if fields.investment.value:
        parts.append(("investment", words.investment.format(value=fields.investment.value)))
    if fields.beneficiaries.value:
        value = capital(fields.beneficiaries.value)
        if fields.beneficiaries.value == words.mse_firms and fields.beneficiaries.detail:
            shown = words.beneficiaries_detail.format(value=value, detail=fields.beneficiaries.detail)
        else:  # the groups the inputs name; how many who raised it run small firms stays in the fields
            shown = words.beneficiaries.format(value=value)
        parts.append(("beneficiaries", shown))
    return parts


def _sentence(text: str) -> str:
    text = capital(" ".join(text.split()))
    return text if text.endswith((".", "!", "?")) else text + "."
