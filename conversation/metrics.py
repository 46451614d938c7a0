"""Prometheus metrics of the conversation layer: what turns did, how long each stage took,
whether Rasa answers, and how many handoffs wait (read from the database at scrape time).

The counters live in prometheus-client's default registry. With several API workers
(``NSO_WORKERS`` > 1) ``python -m bot serve`` sets ``PROMETHEUS_MULTIPROC_DIR`` before the
workers start: each worker then writes its values to files there and any worker's ``/metrics``
adds them up (prometheus-client's multiprocess mode). ``bot.metrics`` serves them.
"""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable, Iterable, Iterator
from contextlib import contextmanager
from functools import wraps
from typing import ParamSpec, TypeVar

import httpx
from prometheus_client import Counter, Gauge, Histogram
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import Collector
from sqlalchemy import func, select

from conversation.db import session_scope
from conversation.models import Handoff

P = ParamSpec("P")
R = TypeVar("R")

# From a cached answer (a few ms) to Rasa's timeout (NSO_RASA_TIMEOUT, 4 s by default).
LATENCY_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)

TURNS = Counter(
    "nso_turns",
    "Turns by what the assistant did (the kinds of the reply items the turn stored) and language; "
    "a turn without items counts as with_agent (queued for an agent) or assistant_unavailable",
    ["kind", "language"],
)
STAGE_SECONDS = Histogram(
    "nso_stage_seconds",
    "Latency per stage: turn (the whole gateway turn), rasa (one call to Rasa), action (one "
    "/webhook call from Rasa), retrieval (ranking the KB for one question)",
    ["stage"],
    buckets=LATENCY_BUCKETS,
)
RASA_UP = Gauge(
    "nso_rasa_up",
    "1 if the last call to Rasa succeeded, 0 if it failed (timeout, refused, 5xx)",
    multiprocess_mode="mostrecent",
)
REFUSED = Counter(
    "nso_requests_refused",
    "Requests refused before the app served them: 429 (rate limits) and 503 (busy), by area",
    ["status", "area"],
)


def count_turn(language: str, kinds: Iterable[str | None]) -> None:
    """Count one turn once under each kind of reply it stored.

    Args:
        language: The turn's language.
        kinds: The kinds of its bot messages (or the system message keys when Rasa gave none).
    """
    for kind in dict.fromkeys(k for k in kinds if k) or ("none",):
        TURNS.labels(kind=kind, language=language).inc()


@contextmanager
def timed(stage: str) -> Iterator[None]:
    """Observe the time the ``with`` block takes under ``stage`` (also when it raises)."""
    start = time.perf_counter()
    try:
        yield
    finally:
        STAGE_SECONDS.labels(stage=stage).observe(time.perf_counter() - start)


def timed_async(stage: str) -> Callable[[Callable[P, Awaitable[R]]], Callable[P, Awaitable[R]]]:
    """Decorator: observe each call of a coroutine function under ``stage``."""

    def decorate(function: Callable[P, Awaitable[R]]) -> Callable[P, Awaitable[R]]:
        @wraps(function)
        async def run(*args: P.args, **kwargs: P.kwargs) -> R:
            with timed(stage):
                return await function(*args, **kwargs)

        return run

    return decorate


class RasaTransport(httpx.AsyncBaseTransport):
    """The Rasa client's transport: times every call and records whether Rasa answered.

    Rasa answers once the whole turn (actions included) is done, so the time to the response's
    headers is the call's time; its small JSON body follows at once.
    """

    def __init__(self, inner: httpx.AsyncBaseTransport | None = None) -> None:
        """Wrap ``inner`` (default: httpx's connection pool)."""
        self.inner = inner or httpx.AsyncHTTPTransport()

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        """Send the request; Rasa is down on a transport error or a 5xx answer."""
        with timed("rasa"):
            try:
                response = await self.inner.handle_async_request(request)
            except httpx.TransportError:
                RASA_UP.set(0)
                raise
        RASA_UP.set(0 if response.status_code >= 500 else 1)
        return response

    async def aclose(self) -> None:
        """Close the connection pool."""
        await self.inner.aclose()


class HandoffsWaiting(Collector):
    """``nso_handoffs_waiting``: handoffs no agent has taken yet, counted at scrape time.

    Read from the database, so every worker (and every machine) reports the same number.
    """

    def __init__(self, database_url: str) -> None:
        """Count in the database at ``database_url``."""
        self.database_url = database_url

    def collect(self) -> Iterator[GaugeMetricFamily]:
        """The number of waiting handoffs."""
        with session_scope(self.database_url) as session:
            waiting = session.scalar(select(func.count()).where(Handoff.status == "waiting")) or 0
        yield GaugeMetricFamily("nso_handoffs_waiting", "Handoffs waiting for an agent", value=waiting)
