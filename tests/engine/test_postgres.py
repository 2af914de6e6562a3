"""The core flows again on PostgreSQL (several workers share one), in a throw-away schema."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.engine.conftest import World
from tests.engine.test_flow import (
    test_duplicate_delivery_captures_once_and_edit_replaces,
    test_forgetme_leaves_no_row_of_that_person,
    test_plans_are_isolated,
    test_restart_in_the_middle_resumes_at_the_same_question,
    test_three_stakeholders_are_interviewed_and_summary_ranks_themes,
)
from tests.engine.test_workers import test_two_workers_interleaving_one_person_lose_nothing

pytestmark = pytest.mark.postgres

__all__ = [
    "test_duplicate_delivery_captures_once_and_edit_replaces",
    "test_forgetme_leaves_no_row_of_that_person",
    "test_plans_are_isolated",
    "test_restart_in_the_middle_resumes_at_the_same_question",
    "test_three_stakeholders_are_interviewed_and_summary_ranks_themes",
    "test_two_workers_interleaving_one_person_lose_nothing",
]


@pytest.fixture
def world(postgres_url: str) -> Iterator[World]:
    """The engine's World on a fresh PostgreSQL database (tests/conftest.py), instead of SQLite."""
    built = World(postgres_url)
    try:
        yield built
    finally:
        built.close()
