"""The console's JSON API for the agent's work on a conversation: read, take over, reply, note, finish.

Every state change needs the session's CSRF token. A message that cannot be delivered does not
undo the change: the result carries a warning for the page. Rasa is not involved: the turn reads
the handoff table, so handing back works whether or not the assistant is up.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query
from fastapi.concurrency import run_in_threadpool

from bot import errors
from bot.channels.delivery import deliver
from bot.console.common import ConsoleRoute, ConversationId
from bot.deps import CsrfChecked, CurrentAgent, SettingsDep
from bot.schemas import (
    MAX_ID,
    ActionResultPublic,
    ActionWarning,
    ConsoleAgent,
    ConversationPublic,
    NoteCreate,
    QueueItemPublic,
    ReplyCreate,
)
from conversation import handoff as handoffs
from conversation import live, transcripts
from conversation.contact import mail_reply, mail_transcript
from settings import Settings

router = APIRouter(route_class=ConsoleRoute)
UNKNOWN = errors.responses(404)


def _conflict(description: str, code: str = "taken") -> dict[int | str, dict[str, object]]:
    """404 for an unknown conversation, and 409 with the conflict's code."""
    taken_by = {"taken_by": "Ada"} if code == "taken" else {"taken_by": None}
    example = errors.problem_body(
        409, code, kind="handoff-conflict", title="Handoff conflict", code=code, **taken_by
    )
    return errors.responses(404, s409=(description, example))


# OpenAPI links: what an agent does with the first conversation of the queue.
QUEUE_LINKS = {
    name: {
        "operationId": operation,
        "parameters": {"path.conversation_id": "$response.body#/0/conversation_id"},
    }
    for name, operation in (
        ("ReadConversation", "read_conversation_console_api_conversations__conversation_id__get"),
        ("TakeOver", "take_over_console_api_conversations__conversation_id__take_post"),
        ("Reply", "reply_console_api_conversations__conversation_id__messages_post"),
        ("AddNote", "add_note_console_api_conversations__conversation_id__notes_post"),
        ("HandBack", "hand_back_console_api_conversations__conversation_id__handback_post"),
        ("Close", "close_console_api_conversations__conversation_id__close_post"),
    )
}


@router.get(
    "/api/queue",
    response_model=list[QueueItemPublic],
    openapi_extra={"responses": {"200": {"links": QUEUE_LINKS}}},
)
def read_queue(settings: SettingsDep, _agent: CurrentAgent) -> list[QueueItemPublic]:
    """Open handoffs of conversations that can be opened, the longest-waiting teacher first."""
    return handoffs.queue(settings)


@router.get("/api/conversations/{conversation_id}", response_model=ConversationPublic, responses=UNKNOWN)
def read_conversation(
    conversation_id: ConversationId,
    settings: SettingsDep,
    _agent: CurrentAgent,
    after: Annotated[int, Query(ge=0, le=MAX_ID)] = 0,
) -> ConversationPublic:
    """A conversation's messages after ``after``, its notes and handoff."""
    return transcripts.conversation(settings, conversation_id, after=after)


@router.post(
    "/api/conversations/{conversation_id}/take",
    response_model=ActionResultPublic,
    dependencies=[CsrfChecked],
    responses=_conflict("Another agent took it first (taken), or nobody is waiting (closed)"),
)
async def take_over(
    conversation_id: ConversationId, settings: SettingsDep, agent: CurrentAgent
) -> ActionResultPublic:
    """Take the conversation over; the second of two agents gets 409."""
    handoff, joined, channel = await run_in_threadpool(handoffs.take_over, settings, conversation_id, agent)
    warnings: list[ActionWarning] = []
    if not await deliver(settings, channel, conversation_id, joined.text):
        warnings.append("delivery_failed")
    return ActionResultPublic(handoff=handoff, warnings=warnings)


@router.post(
    "/api/conversations/{conversation_id}/messages",
    response_model=ActionResultPublic,
    dependencies=[CsrfChecked],
    responses=_conflict("Take the conversation over first (not_taken), or it is closed", "not_taken"),
)
async def reply(
    conversation_id: ConversationId, body: ReplyCreate, settings: SettingsDep, agent: CurrentAgent
) -> ActionResultPublic:
    """Send a live reply: stored as an agent message (the widget polls), delivered on Telegram."""
    message, channel = await run_in_threadpool(
        handoffs.add_reply, settings, conversation_id, agent, body.text
    )
    warnings: list[ActionWarning] = []
    if not await deliver(settings, channel, conversation_id, message.text):
        warnings.append("delivery_failed")
    # A teacher who left an address gets the reply by mail too (they may have closed the page).
    await run_in_threadpool(mail_reply, settings, conversation_id, agent.name, message.text)
    return ActionResultPublic(message=message, warnings=warnings)


@router.post("/api/conversations/{conversation_id}/typing", status_code=204, dependencies=[CsrfChecked])
def agent_typing(conversation_id: ConversationId, settings: SettingsDep, _agent: CurrentAgent) -> None:
    """The agent is typing: the widget shows it on its next poll."""
    live.typing(settings, conversation_id, "agent")


@router.get("/api/conversations/{conversation_id}/typing")
def read_typing(
    conversation_id: ConversationId, settings: SettingsDep, _agent: CurrentAgent
) -> dict[str, bool]:
    """Whether the teacher is typing now."""
    return {"user_typing": live.user_typing(settings, conversation_id)}


@router.post(
    "/api/conversations/{conversation_id}/notes",
    response_model=ActionResultPublic,
    dependencies=[CsrfChecked],
    responses=UNKNOWN,
)
def add_note(
    conversation_id: ConversationId, body: NoteCreate, settings: SettingsDep, agent: CurrentAgent
) -> ActionResultPublic:
    """Add an internal note (agents only; never sent to the user)."""
    return ActionResultPublic(note=handoffs.add_note(settings, conversation_id, agent, body.text))


async def _finish(
    settings: Settings, conversation_id: str, agent: ConsoleAgent, *, hand_back: bool
) -> ActionResultPublic:
    handoff, notice, channel = await run_in_threadpool(
        handoffs.finish, settings, conversation_id, agent, hand_back=hand_back
    )
    warnings: list[ActionWarning] = []
    if not await deliver(settings, channel, conversation_id, notice.text):
        warnings.append("delivery_failed")
    if not hand_back:
        await run_in_threadpool(mail_transcript, settings, conversation_id)
    return ActionResultPublic(handoff=handoff, warnings=warnings)


@router.post(
    "/api/conversations/{conversation_id}/handback",
    response_model=ActionResultPublic,
    dependencies=[CsrfChecked],
    responses=_conflict("Another agent has it (taken), or there is no open handoff (closed)"),
)
async def hand_back(
    conversation_id: ConversationId, settings: SettingsDep, agent: CurrentAgent
) -> ActionResultPublic:
    """Close the handoff and give the conversation back to the assistant (its next message goes to
    Rasa again; nothing needs telling Rasa, so this works while Rasa is down)."""
    return await _finish(settings, conversation_id, agent, hand_back=True)


@router.post(
    "/api/conversations/{conversation_id}/close",
    response_model=ActionResultPublic,
    dependencies=[CsrfChecked],
    responses=_conflict("Another agent has it (taken), or there is no open handoff (closed)"),
)
async def close(
    conversation_id: ConversationId, settings: SettingsDep, agent: CurrentAgent
) -> ActionResultPublic:
    """Close the handoff and the conversation (solved); a new message goes to the assistant."""
    return await _finish(settings, conversation_id, agent, hand_back=False)
