"""One guarded door to the language model: timeout, retries with backoff, budgets, and a reason counter.

Every use of the model goes through :class:`LLMClient`. It either returns the model's text or raises
:class:`LLMUnavailable` carrying a short reason; the uses catch it and answer from the offline path, so a
person never sees a provider failure. The budget is kept per person and per plan over a sliding hour: `Budget`
here in process memory, `bot.llm.budget.SharedBudget` in SQL, which is what the services use, so that several
workers and restarts spend one budget.
"""

from __future__ import annotations

import logging
import threading
import time
from collections import Counter, defaultdict, deque
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout
from dataclasses import dataclass, field

from langchain_core.language_models import BaseChatModel
from langchain_core.messages import AIMessage, BaseMessage

from bot.usage import Scope, current_scope

log = logging.getLogger(__name__)

HOUR = 3600.0


class LLMUnavailable(Exception):
    """The model gave no usable reply; `reason` names why (one of the FallbackStats reasons)."""

    def __init__(self, reason: str, detail: str = "") -> None:
        super().__init__(f"{reason}: {detail}" if detail else reason)
        self.reason = reason
        self.detail = detail


@dataclass
class FallbackStats:
    """How often each use got a model reply (`ok`) or fell back, and why; read by the evals."""

    counts: Counter[tuple[str, str]] = field(default_factory=Counter)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def record(self, use: str, reason: str) -> None:
        with self._lock:
            self.counts[(use, reason)] += 1

    def reasons(self, use: str | None = None) -> Counter[str]:
        """Reason -> count, for one use or all of them (`ok` included)."""
        with self._lock:
            total: Counter[str] = Counter()
            for (name, reason), n in self.counts.items():
                if use is None or name == use:
                    total[reason] += n
            return total

    def fallback(self, use: str, reason: str, detail: str = "") -> None:
        """Count and log one fallback to the offline path."""
        self.record(use, reason)
        log.warning("LLM %s fell back to the offline path: %s %s", use, reason, detail[:200])


@dataclass(frozen=True)
class Limits:
    person_requests: int = 60
    person_tokens: int = 60_000
    plan_requests: int = 600
    plan_tokens: int = 600_000


def budget_keys(scope: Scope, limits: Limits) -> list[tuple[str, int, int]]:
    """The counters a call in `scope` spends, each with its hourly request and token limits."""
    keys = []
    if scope.person is not None:
        keys.append((f"person:{scope.person}", limits.person_requests, limits.person_tokens))
    if scope.plan is not None:
        keys.append((f"plan:{scope.plan}", limits.plan_requests, limits.plan_tokens))
    return keys


class Budget:
    """Requests and tokens per hour, per person and per plan, in process memory (sliding window)."""

    def __init__(self, limits: Limits, clock: Callable[[], float] = time.monotonic) -> None:
        self.limits = limits
        self.clock = clock
        self._requests: dict[str, deque[float]] = defaultdict(deque)
        self._tokens: dict[str, deque[tuple[float, int]]] = defaultdict(deque)
        self._lock = threading.Lock()

    def _keys(self, scope: Scope) -> list[tuple[str, int, int]]:
        return budget_keys(scope, self.limits)

    def _trim(self, key: str, now: float) -> None:
        requests, tokens = self._requests[key], self._tokens[key]
        while requests and requests[0] <= now - HOUR:
            requests.popleft()
        while tokens and tokens[0][0] <= now - HOUR:
            tokens.popleft()

    def acquire(self, scope: Scope) -> None:
        """Count one request, or raise LLMUnavailable("budget") when the person or plan is out of budget."""
        now = self.clock()
        with self._lock:
            keys = self._keys(scope)
            for key, max_requests, max_tokens in keys:
                self._trim(key, now)
                if len(self._requests[key]) >= max_requests:
                    raise LLMUnavailable("budget", f"{key} made {max_requests} requests this hour")
                if sum(n for _, n in self._tokens[key]) >= max_tokens:
                    raise LLMUnavailable("budget", f"{key} used {max_tokens} tokens this hour")
            for key, _, _ in keys:
                self._requests[key].append(now)

    def spend(self, scope: Scope, tokens: int) -> None:
        now = self.clock()
        with self._lock:
            for key, _, _ in self._keys(scope):
                self._tokens[key].append((now, tokens))


def _text_of(message: BaseMessage) -> str:
    content = message.content
    if isinstance(content, str):
        return content
    parts = [p if isinstance(p, str) else str(p.get("text", "")) for p in content if isinstance(p, str | dict)]
    return "".join(parts)


def _tokens_of(messages: Sequence[BaseMessage], reply: BaseMessage) -> int:
    """Tokens the provider reports, else a rough estimate (4 characters a token)."""
    usage = getattr(reply, "usage_metadata", None)
    if usage and usage.get("total_tokens"):
        return int(usage["total_tokens"])
    chars = sum(len(_text_of(m)) for m in messages) + len(_text_of(reply))
    return max(1, chars // 4)


class LLMClient:
    """The chat model behind a timeout, retries with exponential backoff and the budget."""

    def __init__(
        self,
        model: BaseChatModel,
        *,
        timeout: float = 20.0,
        retries: int = 1,
        backoff: float = 0.5,
        budget: Budget | None = None,
        stats: FallbackStats | None = None,
        sleep: Callable[[float], None] = time.sleep,
        workers: int = 4,
    ) -> None:
        self.model = model
        self.timeout = timeout
        self.retries = retries
        self.backoff = backoff
        self.budget = budget or Budget(Limits())
        self.stats = stats or FallbackStats()
        self.sleep = sleep
        self._workers = workers
        self._executor: ThreadPoolExecutor | None = None
        self._executor_lock = threading.Lock()

    def _pool(self) -> ThreadPoolExecutor:
        with self._executor_lock:
            if self._executor is None:
                self._executor = ThreadPoolExecutor(self._workers, thread_name_prefix="planbot-llm")
            return self._executor

    def complete(self, messages: Sequence[BaseMessage]) -> str:
        """The model's reply text; LLMUnavailable("budget" | "timeout" | "error" | "empty") otherwise."""
        scope = current_scope()
        last: LLMUnavailable | None = None
        for attempt in range(self.retries + 1):
            if attempt:
                self.sleep(self.backoff * 2 ** (attempt - 1))
            self.budget.acquire(scope)  # raises "budget": no retry can help within the hour
            future = self._pool().submit(self.model.invoke, list(messages))
            try:
                reply = future.result(timeout=self.timeout)
            except FutureTimeout:
                future.cancel()
                last = LLMUnavailable("timeout", f"no reply within {self.timeout:g} s")
                continue
            except Exception as exc:  # any provider failure: retry, then offline
                last = LLMUnavailable("error", f"{type(exc).__name__}: {exc}")
                continue
            if not isinstance(reply, AIMessage | BaseMessage):
                last = LLMUnavailable("error", f"unexpected reply type {type(reply).__name__}")
                continue
            self.budget.spend(scope, _tokens_of(messages, reply))
            text = _text_of(reply).strip()
            if not text:
                raise LLMUnavailable("empty", "the model replied with no text")
            return text
        assert last is not None
        raise last

    def close(self) -> None:
        with self._executor_lock:
            if self._executor is not None:
                self._executor.shutdown(wait=False, cancel_futures=True)
                self._executor = None
