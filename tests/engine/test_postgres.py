"""The core flows again on PostgreSQL (several workers share one), in a throw-away schema."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import OperationalError

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

BASE_URL = os.environ.get("PLANBOT_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")

__all__ = [
    "test_duplicate_delivery_captures_once_and_edit_replaces",
    "test_forgetme_leaves_no_row_of_that_person",
    "test_plans_are_isolated",
    "test_restart_in_the_middle_resumes_at_the_same_question",
    "test_three_stakeholders_are_interviewed_and_summary_ranks_themes",
    "test_two_workers_interleaving_one_person_lose_nothing",
]


@pytest.fixture
def world() -> Iterator[World]:
    schema = f"planbot_engine_{uuid.uuid4().hex[:10]}"
    admin = create_engine(BASE_URL)
    try:
        with admin.begin() as connection:
            connection.execute(text(f'CREATE SCHEMA "{schema}"'))
    except OperationalError:
        admin.dispose()
        pytest.skip(f"PostgreSQL is not reachable at {BASE_URL}")
    url = make_url(BASE_URL).update_query_dict({"options": f"-csearch_path={schema}"})
    built = World(url.render_as_string(hide_password=False))
    try:
        yield built
    finally:
        built.close()
        with admin.begin() as connection:
            connection.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()
