"""Server-Sent Events for the console: the queue and one conversation, live.

Streams end after ``STREAM_SECONDS`` and EventSource reconnects, so the session is checked again
on every reconnect as well as on every round.
"""

from __future__ import annotations

import json
import time
from collections.abc import AsyncIterator, Callable
from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import StreamingResponse

from bot import errors
from bot.console.common import ConsoleRoute, ConversationId
from bot.deps import SESSION_COOKIE, CurrentAgent, SettingsDep
from bot.schemas import MAX_ID
from conversation import agents, transcripts
from conversation import changes as live
from conversation.clock import utcnow
from conversation.handoff import queue
from settings import Settings

STREAM_SECONDS = 300.0  # an event stream ends after this; EventSource reconnects (re-checking the session)
HEARTBEAT_SECONDS = 15.0

router = APIRouter(route_class=ConsoleRoute)


async def _event_stream(
    request: Request,
    settings: Settings,
    snapshot: Callable[[], tuple[str, str]],
    conversation_id: str | None = None,
) -> AsyncIterator[str]:
    """Server-Sent Events: an ``update`` whenever ``snapshot``'s key changes, pings in between.

    ``snapshot`` returns (change key, data); it is re-read when :mod:`conversation.changes` reports a
    change (of ``conversation_id``, or of any conversation when None) or its poll interval passes.
    The stream ends after ``STREAM_SECONDS`` or when the session is gone (``logout`` event), so a
    revoked agent stops receiving at once.
    """
    token = request.cookies.get(SESSION_COOKIE, "")
    started = last_sent = time.monotonic()
    last_key: str | None = None
    yield "retry: 3000\n\n"
    async with live.subscribe(settings) as changes:
        while time.monotonic() - started < STREAM_SECONDS and not await request.is_disconnected():
            if await run_in_threadpool(agents.session_agent, settings, token) is None:
                yield "event: logout\ndata: {}\n\n"
                return
            key, data = await run_in_threadpool(snapshot)
            if key != last_key:
                yield f"event: update\ndata: {data}\n\n"
                last_key, last_sent = key, time.monotonic()
            elif time.monotonic() - last_sent > HEARTBEAT_SECONDS:
                yield ": ping\n\n"
                last_sent = time.monotonic()
            await changes.wait(conversation_id)


def _sse(stream: AsyncIterator[str]) -> StreamingResponse:
    return StreamingResponse(
        stream,
        media_type="text/event-stream",
        headers={"X-Accel-Buffering": "no", "Cache-Control": "no-store"},
    )


@router.get("/api/queue/events", response_class=StreamingResponse)
def queue_events(request: Request, settings: SettingsDep, _agent: CurrentAgent) -> StreamingResponse:
    """The queue as Server-Sent Events (``update`` carries the whole queue)."""

    def snapshot() -> tuple[str, str]:
        items = queue(settings)
        key = json.dumps([i.model_dump(mode="json", exclude={"waiting_seconds"}) for i in items])
        data = json.dumps({"now": utcnow().isoformat(), "items": [i.model_dump(mode="json") for i in items]})
        return key, data

    return _sse(_event_stream(request, settings, snapshot))


@router.get(
    "/api/conversations/{conversation_id}/events",
    response_class=StreamingResponse,
    responses=errors.responses(404),  # checked before the stream starts
)
def conversation_events(
    request: Request,
    conversation_id: ConversationId,
    settings: SettingsDep,
    _agent: CurrentAgent,
    after: Annotated[int, Query(ge=0, le=MAX_ID)] = 0,
) -> StreamingResponse:
    """New messages, notes and handoff changes of one conversation as Server-Sent Events."""
    transcripts.conversation(settings, conversation_id, after=after)  # 404 before the stream starts

    def snapshot() -> tuple[str, str]:
        data = transcripts.conversation(settings, conversation_id, after=after).model_dump_json()
        return data, data

    return _sse(_event_stream(request, settings, snapshot, conversation_id))
