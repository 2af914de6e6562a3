"""Who the work in a block is done for: the person and plan that model calls (and their budgets) are charged to.

The engine opens a scope around each turn without knowing whether any model is configured; the LLM client reads it.
It lives here, outside `bot.llm`, so the core never imports the LLM package.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from contextvars import ContextVar
from dataclasses import dataclass


@dataclass(frozen=True)
class Scope:
    """Who a model call is made for; the budget is counted per person and per plan."""

    person: str | None = None
    plan: str | None = None


_scope: ContextVar[Scope] = ContextVar("planbot_llm_scope", default=Scope())  # noqa: B039 - frozen default


@contextlib.contextmanager
def llm_scope(person: object | None = None, plan: object | None = None) -> Iterator[Scope]:
    """Charge the model calls made inside the block to this person and plan (the engine wraps a turn)."""
    current = _scope.get()
    scope = Scope(
        person=str(person) if person is not None else current.person,
        plan=str(plan) if plan is not None else current.plan,
    )
    token = _scope.set(scope)
    try:
        yield scope
    finally:
        _scope.reset(token)


def current_scope() -> Scope:
    return _scope.get()
