"""Proposals: initiatives drafted from a plan's own themes, ideas and named players, checked by the guidance."""

from bot.proposals.material import material_for
from bot.proposals.models import MaterialInput, MaterialTheme, PlanMaterial, Proposal, ProposalAnswer
from bot.proposals.patterns import Pattern, PatternLibrary, load_patterns
from bot.proposals.proposer import OfflineProposer
from bot.proposals.store import plan_check_for, scorecard_from_json, store_proposals

__all__ = [
    "MaterialInput",
    "MaterialTheme",
    "OfflineProposer",
    "Pattern",
    "PatternLibrary",
    "PlanMaterial",
    "Proposal",
    "ProposalAnswer",
    "load_patterns",
    "material_for",
    "plan_check_for",
    "scorecard_from_json",
    "store_proposals",
]
