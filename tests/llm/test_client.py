"""The guarded client: timeouts, retries with backoff, budgets per person and plan, and the reason counter."""

from __future__ import annotations

import pytest
from langchain_core.messages import HumanMessage

from bot.llm.client import Budget, FallbackStats, Limits, LLMClient, LLMUnavailable
from bot.usage import llm_scope
from tests.llm.conftest import FailingChatModel, SlowFirstChatModel, scripted

ASK = [HumanMessage("hello")]


def test_a_reply_past_the_timeout_is_given_up_on(make_client) -> None:
    client = make_client(scripted("too late", sleep=1.0), timeout=0.1)
    with pytest.raises(LLMUnavailable) as caught:
        client.complete(ASK)
    assert caught.value.reason == "timeout"


def test_errors_are_retried_with_growing_backoff_then_reported() -> None:
    waits: list[float] = []
    model = FailingChatModel()
    client = LLMClient(model, retries=2, backoff=0.5, sleep=waits.append)
    with pytest.raises(LLMUnavailable) as caught:
        client.complete(ASK)
    assert caught.value.reason == "error"
    assert model.calls == 3
    assert waits == [0.5, 1.0]


def test_a_retry_after_a_timeout_gets_the_reply(make_client) -> None:
    model = SlowFirstChatModel(responses=["fine"])
    client = make_client(model, timeout=0.2, retries=1)
    assert client.complete(ASK) == "fine"
    assert model.calls == 2


def test_a_person_out_of_requests_is_refused_but_another_person_is_not(make_client) -> None:
    client = make_client(scripted("ok"), limits=Limits(person_requests=2))
    with llm_scope(person=1, plan=7):
        client.complete(ASK)
        client.complete(ASK)
        with pytest.raises(LLMUnavailable) as caught:
            client.complete(ASK)
    assert caught.value.reason == "budget"
    with llm_scope(person=2, plan=7):
        assert client.complete(ASK) == "ok"


def test_a_plan_out_of_tokens_is_refused_for_everyone_in_it(make_client) -> None:
    client = make_client(scripted("x" * 400), limits=Limits(plan_tokens=150))
    with llm_scope(person=1, plan=3):
        client.complete(ASK)  # about 100 tokens
        client.complete(ASK)  # now past 150
    with llm_scope(person=2, plan=3), pytest.raises(LLMUnavailable) as caught:
        client.complete(ASK)
    assert caught.value.reason == "budget"
    with llm_scope(person=2, plan=4):
        assert client.complete(ASK)


def test_the_budget_window_slides_after_an_hour() -> None:
    now = [0.0]
    budget = Budget(Limits(person_requests=1), clock=lambda: now[0])
    client = LLMClient(scripted("ok"), budget=budget, sleep=lambda s: None)
    with llm_scope(person="a"):
        client.complete(ASK)
        with pytest.raises(LLMUnavailable):
            client.complete(ASK)
        now[0] = 3601.0
        assert client.complete(ASK) == "ok"


def test_the_reason_counter_counts_per_use() -> None:
    stats = FallbackStats()
    stats.record("answer", "ok")
    stats.fallback("answer", "timeout")
    stats.fallback("capture", "timeout")
    assert stats.reasons("answer") == {"ok": 1, "timeout": 1}
    assert stats.reasons()["timeout"] == 2
