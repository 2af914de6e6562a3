"""PLACEHOLDER, not registered in the runner: the proposals suite waits for the offline proposer.

Another engineer builds `planbot propose`; once it exists, this module gets `run_proposals(proposer, path)`
(each proposed initiative checked by the checker, answering the plan's top themes) and a line in
`evals.runner.SUITES`.
"""

from __future__ import annotations

from pathlib import Path

from bot.errors import PlanbotError
from evals.suites.common import SuiteResult


def run_proposals(proposer: object, path: Path) -> SuiteResult:
    raise PlanbotError("the proposals suite is not available yet: the offline proposer is not built")
