"""Per-client token buckets for the public API: in-process by default, in Redis when the API runs
several workers (or machines), so that a client cannot multiply its allowance by the worker count."""

from __future__ import annotations

import asyncio
import logging
import math
import time
from typing import Protocol

from redis.asyncio import Redis
from redis.exceptions import RedisError

from settings import Settings

log = logging.getLogger(__name__)

# KEYS[1] bucket; ARGV rate per second, capacity. Returns seconds to wait (0 = allowed).
# Redis's own clock, so that every worker sees the same time.
TOKEN_BUCKET = """
local rate, capacity = tonumber(ARGV[1]), tonumber(ARGV[2])
local now_parts = redis.call('TIME')
local now = tonumber(now_parts[1]) + tonumber(now_parts[2]) / 1000000
local state = redis.call('HMGET', KEYS[1], 'tokens', 'at')
local tokens = tonumber(state[1]) or capacity
local at = tonumber(state[2]) or now
tokens = math.min(capacity, tokens + (now - at) * rate)
local wait = 0
if tokens >= 1 then tokens = tokens - 1 else wait = math.ceil((1 - tokens) / rate) end
redis.call('HSET', KEYS[1], 'tokens', tostring(tokens), 'at', tostring(now))
redis.call('EXPIRE', KEYS[1], math.ceil(capacity / rate) + 1)
return wait
"""


class RateLimiter(Protocol):
    """What the security middleware needs from a limiter."""

    async def retry_after(self, client: str) -> int:
        """0 if the request may pass, else seconds until the client has a token again."""
        ...


class LocalRateLimiter:
    """Token bucket per client in this process: ``per_minute`` requests, bursts up to ``burst``
    (a quarter of a minute's allowance unless given)."""

    def __init__(self, per_minute: int, burst: float | None = None) -> None:
        self.rate = per_minute / 60.0
        self.capacity = max(1.0, burst if burst is not None else per_minute / 4)
        self._buckets: dict[str, tuple[float, float]] = {}
        self._lock = asyncio.Lock()

    async def retry_after(self, client: str) -> int:
        now = time.monotonic()
        async with self._lock:
            tokens, last = self._buckets.get(client, (self.capacity, now))
            tokens = min(self.capacity, tokens + (now - last) * self.rate)
            if tokens >= 1:
                self._buckets[client] = (tokens - 1, now)
                return 0
            self._buckets[client] = (tokens, now)
            return max(1, math.ceil((1 - tokens) / self.rate))


class RedisRateLimiter:
    """The same bucket kept in Redis (one Lua call per request, atomic across workers).

    If Redis is unreachable the request passes and a warning is logged: losing the limiter for a
    moment is better than refusing every teacher.
    """

    def __init__(
        self, url: str, per_minute: int, burst: float | None = None, prefix: str = "nso:ratelimit"
    ) -> None:
        self.rate = per_minute / 60.0
        self.capacity = max(1.0, burst if burst is not None else per_minute / 4)
        self.prefix = prefix
        self._redis = Redis.from_url(url, socket_timeout=0.5, socket_connect_timeout=0.5)
        self._script = self._redis.register_script(TOKEN_BUCKET)

    async def retry_after(self, client: str) -> int:
        try:
            wait = await self._script(keys=[f"{self.prefix}:{client}"], args=[self.rate, self.capacity])
        except RedisError as exc:
            log.warning("rate limiter: redis unavailable (%s); request allowed", type(exc).__name__)
            return 0
        return int(wait)


def limiter_for(
    settings: Settings, per_minute: int | None = None, *, burst: float | None = None, name: str = ""
) -> RateLimiter:
    """Redis-backed when ``NSO_REDIS_URL`` is set, else per process.

    Args:
        settings: Gives the Redis URL and the default rate (``NSO_RATE_LIMIT_PER_MINUTE``).
        per_minute: Another rate, for a limiter of its own (e.g. console sign-in).
        burst: Requests allowed at once; a quarter of ``per_minute`` by default.
        name: Keeps this limiter's buckets apart from the others' in Redis.

    Returns:
        The limiter.
    """
    rate = per_minute if per_minute is not None else settings.rate_limit_per_minute
    if settings.redis_url:
        prefix = f"nso:ratelimit:{name}" if name else "nso:ratelimit"
        return RedisRateLimiter(settings.redis_url, rate, burst, prefix)
    return LocalRateLimiter(rate, burst)
