"""What only the scale-out profile has: state shared through PostgreSQL and Redis by two API
workers. Collected only with ``pytest --scale-out`` (scripts/test.sh runs that stage), which
also runs the integration and fault suites on the same services.
"""

from __future__ import annotations

import asyncio
import time
import uuid

import httpx
import pytest
import redis
from sqlalchemy import text

from bench.backing import Backing
from bench.stack import Stack
from bot.ratelimit import RedisRateLimiter
from conversation.db import engine_for
from settings import Settings
from tests.bot.console.factories import make_agent, sign_in
from tests.factories import chat_headers

pytestmark = [pytest.mark.integration, pytest.mark.slow]


def test_scale_gateway_schema_is_migrated_on_postgres(stack: Stack) -> None:
    engine = engine_for(stack.env["NSO_DATABASE_URL"])
    assert engine.dialect.name == "postgresql"
    with engine.connect() as connection:
        tables = set(
            connection.execute(text("SELECT tablename FROM pg_tables WHERE schemaname = 'public'")).scalars()
        )
    assert {"conversations", "messages", "handoffs", "agents", "alembic_version"} <= tables


def test_scale_rasa_tracker_lives_in_postgres(stack: Stack) -> None:
    sender = f"pg-{uuid.uuid4().hex[:8]}"
    reply = httpx.post(
        f"{stack.rasa}/webhooks/rest/webhook", json={"sender": sender, "message": "hello"}, timeout=60
    )
    assert reply.status_code == 200 and reply.json(), reply.text
    url = stack.env["NSO_DATABASE_URL"].rsplit("/", 1)[0] + "/" + stack.env["NSO_RASA_DB_NAME"]
    with engine_for(url).connect() as connection:
        stored = connection.execute(
            text("SELECT count(*) FROM events WHERE sender_id = :sender"), {"sender": sender}
        ).scalar_one()
    assert stored > 0


def test_scale_rate_limit_is_shared_between_workers(backing: Backing) -> None:
    """Two limiters on one Redis (two workers) grant one client one bucket, not two."""
    client = f"test-{uuid.uuid4().hex[:8]}"

    async def run() -> int:
        workers = [RedisRateLimiter(backing.redis_url, per_minute=60) for _ in range(2)]
        waits = [await workers[i % 2].retry_after(client) for i in range(40)]
        return sum(1 for w in waits if w == 0)

    allowed = asyncio.run(run())
    assert 15 <= allowed <= 16  # capacity 60/4 = 15, plus at most one token refilled meanwhile


def test_scale_rate_limit_answers_429_through_the_api(stack: Stack, backing: Backing) -> None:
    """The default 120/min gives a client a bucket of 30 (refilled at 2/s) across both workers;
    separate per-worker buckets would let up to 60 through."""
    statuses = []
    bucket = redis.Redis.from_url(backing.redis_url)
    bucket.delete("nso:ratelimit:127.0.0.1")  # a full bucket: earlier modules spent from this one
    started = time.monotonic()
    try:
        for _ in range(70):  # a new connection per request, so the kernel spreads them over workers
            statuses.append(httpx.get(f"{stack.api}/api/rules", timeout=10).status_code)
    finally:
        elapsed = time.monotonic() - started
        bucket.delete("nso:ratelimit:127.0.0.1")
    assert set(statuses) == {200, 429}
    assert 30 <= statuses.count(200) <= 30 + 2 * elapsed + 1, (statuses.count(200), elapsed)


def test_scale_console_stream_is_woken_by_redis(stack: Stack) -> None:
    """A teacher's message reaches an agent's open event stream at once, not at the next poll
    (10 s with Redis), even when another worker stored it."""
    email = f"scale-{uuid.uuid4().hex[:6]}@example.org"
    make_agent(Settings(database_url=stack.env["NSO_DATABASE_URL"]), email)
    first = httpx.post(f"{stack.api}/api/chat/messages", json={"text": "Hello", "lang": "en"}, timeout=60)
    assert first.status_code == 200, first.text
    conversation = first.json()["conversation_id"]
    with httpx.Client(base_url=stack.api, timeout=30) as agent:
        sign_in(agent, email)  # type: ignore[arg-type]  # an httpx client against the real server
        url = f"/console/api/conversations/{conversation}/events"
        with agent.stream("GET", url) as events:
            lines = events.iter_lines()
            next(line for line in lines if line.startswith("data:"))  # the initial snapshot
            sent = time.monotonic()
            httpx.post(
                f"{stack.api}/api/chat/messages",
                json={"conversation_id": conversation, "text": "Can I talk to someone?", "lang": "en"},
                headers=chat_headers(conversation),
                timeout=60,
            )
            update = next(line for line in lines if line.startswith("data:") and "talk to someone" in line)
            waited = time.monotonic() - sent
    assert update
    assert waited < 5, f"update after {waited:.1f} s: the stream was not woken by Redis"
