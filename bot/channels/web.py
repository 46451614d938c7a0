"""The web chat channel: the API the widget calls to send a message, read history, rate an answer.

A channel like Telegram, so it lives with :mod:`bot.channels.telegram`; the widget's own files
are served by :mod:`bot.routes.web`. Conversation ids are issued here, with a token
(:mod:`conversation.access`) that every later request must show in ``X-Conversation-Token``;
an id without its token, or of another channel, is answered exactly like an unknown id (404).
"""

from __future__ import annotations

from dataclasses import asdict
from typing import Annotated, Literal

from fastapi import APIRouter, Header, HTTPException, Path, Query, Request, Response
from fastapi.concurrency import run_in_threadpool
from pydantic import BaseModel, Field

from bot.deps import SettingsDep
from bot.schemas import MAX_TEXT, QuestionText, StrictBody
from conversation.access import is_known, may_access, new_web_conversation
from conversation.rasa_client import RasaClient
from conversation.turns import history, process_message, rate
from settings import Settings

router = APIRouter(prefix="/api/chat", tags=["chat"])
ConversationId = Annotated[str, Field(pattern=r"^[A-Za-z0-9_-]{8,64}$")]
TokenHeader = Annotated[
    str | None,
    Header(alias="X-Conversation-Token", max_length=128, description="Issued with the conversation id"),
]


class ChatMessageCreate(StrictBody):
    """A message from the widget; ``payload`` is set when a quick-reply button was pressed."""

    text: QuestionText
    conversation_id: ConversationId | None = None
    payload: Annotated[str, Field(max_length=MAX_TEXT, pattern=r"^/")] | None = None
    lang: Literal["en", "nl", "sl"] | None = None


class ChatMessagePublic(BaseModel):
    """One stored message."""

    id: int
    role: str
    text: str
    buttons: list[dict[str, str]]
    created_at: str


class ChatReplyPublic(BaseModel):
    """The conversation's new messages."""

    conversation_id: str
    conversation_token: str | None = Field(
        default=None, description="Only in the reply that starts a conversation: keep it, send it back"
    )
    language: str
    handoff: bool
    messages: list[ChatMessagePublic]


class FeedbackCreate(StrictBody):
    """Thumbs up or down on one bot message."""

    conversation_id: ConversationId
    message_id: int = Field(ge=1)
    rating: Literal["up", "down"]


def _rasa(request: Request) -> RasaClient:
    client: RasaClient = request.app.state.rasa
    return client


def _unknown(conversation_id: str) -> HTTPException:
    """The one answer for an unknown id, a wrong token and another channel's conversation."""
    return HTTPException(status_code=404, detail=f"unknown conversation: {conversation_id}")


def _check(settings: Settings, conversation_id: str, token: str | None) -> None:
    if not may_access(settings, conversation_id, token) or not is_known(settings, conversation_id, "web"):
        raise _unknown(conversation_id)


@router.post("/messages", response_model=ChatReplyPublic)
async def send_message(
    body: ChatMessageCreate, request: Request, settings: SettingsDep, token: TokenHeader = None
) -> ChatReplyPublic:
    """Store the message, answer it (assistant or agent queue), return the new messages.

    Without ``conversation_id`` a new conversation starts and its id and token are returned.
    """
    issued: str | None = None
    if body.conversation_id is None:
        conversation_id, issued = new_web_conversation(settings)
    else:
        conversation_id = body.conversation_id
        await run_in_threadpool(_check, settings, conversation_id, token)
    reply = await process_message(
        settings,
        _rasa(request),
        channel="web",
        conversation_id=conversation_id,
        text=body.text,
        payload=body.payload,
        lang=body.lang,
    )
    return ChatReplyPublic.model_validate({**asdict(reply), "conversation_token": issued})


@router.get("/conversations/{conversation_id}/messages", response_model=ChatReplyPublic)
def read_messages(
    conversation_id: Annotated[str, Path(pattern=r"^[A-Za-z0-9_-]{8,64}$")],
    settings: SettingsDep,
    after: Annotated[int, Query(ge=0, description="Only messages with a larger id")] = 0,
    token: TokenHeader = None,
) -> ChatReplyPublic:
    """History (after=0) or new messages since the last one seen (agents' replies)."""
    _check(settings, conversation_id, token)
    reply = history(settings, conversation_id, after)
    if reply is None:
        raise _unknown(conversation_id)
    return ChatReplyPublic.model_validate(asdict(reply))


@router.post("/feedback", status_code=204)
def send_feedback(body: FeedbackCreate, settings: SettingsDep, token: TokenHeader = None) -> Response:
    """Record thumbs up/down for a bot message."""
    _check(settings, body.conversation_id, token)
    if not rate(settings, body.conversation_id, body.message_id, body.rating):
        raise HTTPException(status_code=404, detail="no such bot message in this conversation")
    return Response(status_code=204)
