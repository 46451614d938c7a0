"""When the console's live views should look again.

The database stays the only source of truth; this module only says *when* to re-read it.
Without Redis a stream re-reads every ``POLL_SECONDS``, which is right for one worker and still
correct (just slower) for several. With ``NSO_REDIS_URL`` every commit that touches a conversation
publishes that conversation's id, from whichever worker or machine made it, and the streams of
all workers wake at once; they then re-read only every ``REDIS_POLL_SECONDS`` when nothing happens
(to notice revoked sessions).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from functools import lru_cache
from typing import Any, Protocol

from redis import Redis
from redis.asyncio import Redis as AsyncRedis
from redis.exceptions import RedisError
from sqlalchemy import event
from sqlalchemy.orm import Session

from conversation.models import Conversation
from settings import Settings, get_settings

log = logging.getLogger(__name__)
CHANNEL = "nso:changes"
POLL_SECONDS = 1.5
REDIS_POLL_SECONDS = 10.0


class Changes(Protocol):
    """A subscription of one console stream."""

    async def wait(self, conversation_id: str | None) -> None:
        """Return when ``conversation_id`` (None: any conversation) may have changed."""
        ...


class _Polling:
    async def wait(self, _conversation_id: str | None) -> None:
        await asyncio.sleep(POLL_SECONDS)


class _RedisChanges:
    def __init__(self, pubsub: Any) -> None:
        self._pubsub = pubsub

    async def wait(self, conversation_id: str | None) -> None:
        loop = asyncio.get_running_loop()
        deadline = loop.time() + REDIS_POLL_SECONDS
        while (left := deadline - loop.time()) > 0:
            try:
                message = await self._pubsub.get_message(ignore_subscribe_messages=True, timeout=left)
            except RedisError as exc:
                log.warning("live updates: redis unavailable (%s); polling", type(exc).__name__)
                await _Polling().wait(conversation_id)
                return
            if message is None:
                return
            if conversation_id is None or message["data"] == conversation_id.encode():
                return


@asynccontextmanager
async def subscribe(settings: Settings) -> AsyncIterator[Changes]:
    """Changes for one console stream (a Redis subscription when configured)."""
    if not settings.redis_url:
        yield _Polling()
        return
    client = AsyncRedis.from_url(settings.redis_url, socket_connect_timeout=1)
    pubsub = client.pubsub()
    try:
        await pubsub.subscribe(CHANNEL)
    except RedisError as exc:
        log.warning("live updates: cannot subscribe (%s); polling", type(exc).__name__)
        await client.aclose()
        yield _Polling()
        return
    try:
        yield _RedisChanges(pubsub)
    finally:
        await pubsub.aclose()  # type: ignore[no-untyped-call]  # redis-py leaves it unannotated
        await client.aclose()


@lru_cache(maxsize=4)
def _publisher(url: str) -> Redis:
    return Redis.from_url(url, socket_timeout=0.5, socket_connect_timeout=0.5)


def publish(settings: Settings, conversation_ids: set[str]) -> None:
    """Tell every worker's streams that these conversations changed (no-op without Redis)."""
    if not settings.redis_url or not conversation_ids:
        return
    client = _publisher(settings.redis_url)
    try:
        for conversation_id in conversation_ids:
            client.publish(CHANNEL, conversation_id)
    except RedisError as exc:  # the streams fall back to their poll interval
        log.warning("live updates: publish failed (%s)", type(exc).__name__)


def _touched(session: Session) -> set[str]:
    ids: set[str] = set()
    for obj in (*session.new, *session.dirty, *session.deleted):
        if isinstance(obj, Conversation):
            ids.add(obj.id)
        elif isinstance(conversation_id := getattr(obj, "conversation_id", None), str):
            ids.add(conversation_id)
    return ids


def _collect(session: Session, _context: Any, _instances: Any) -> None:
    session.info.setdefault("changed_conversations", set()).update(_touched(session))


def _announce(session: Session) -> None:
    publish(get_settings(), session.info.pop("changed_conversations", set()))


def _forget(session: Session) -> None:
    session.info.pop("changed_conversations", None)


_LISTENERS = (("before_flush", _collect), ("after_commit", _announce), ("after_rollback", _forget))


def register() -> None:
    """Publish every committed change from now on (idempotent; called once at process start).

    An explicit call rather than an import side effect: a process (API worker, standalone action
    server) publishes live updates because it starts them, not because it happened to import
    the console.
    """
    for name, listener in _LISTENERS:
        if not event.contains(Session, name, listener):
            event.listen(Session, name, listener)
