"""The web chat channel: the API the widget calls to send a message, read history, rate an answer.

A channel like Telegram, so it lives with :mod:`bot.channels.telegram`; the widget's own files
are served by :mod:`bot.routes.web`.
"""

from __future__ import annotations

import secrets
from dataclasses import asdict
from typing import Annotated, Literal

from fastapi import APIRouter, HTTPException, Path, Query, Request, Response
from pydantic import BaseModel, Field

from bot.deps import SettingsDep
from bot.schemas import MAX_TEXT, QuestionText, StrictBody
from conversation.rasa_client import RasaClient
from conversation.turns import history, process_message, rate

router = APIRouter(prefix="/api/chat", tags=["chat"])
ConversationId = Annotated[str, Field(pattern=r"^[A-Za-z0-9_-]{8,64}$")]


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


@router.post("/messages", response_model=ChatReplyPublic)
async def send_message(body: ChatMessageCreate, request: Request, settings: SettingsDep) -> ChatReplyPublic:
    """Store the message, answer it (assistant or agent queue), return the new messages."""
    conversation_id = body.conversation_id or f"web-{secrets.token_urlsafe(12)}"
    reply = await process_message(
        settings,
        _rasa(request),
        channel="web",
        conversation_id=conversation_id,
        text=body.text,
        payload=body.payload,
        lang=body.lang,
    )
    return ChatReplyPublic.model_validate(asdict(reply))


@router.get("/conversations/{conversation_id}/messages", response_model=ChatReplyPublic)
def read_messages(
    conversation_id: Annotated[str, Path(pattern=r"^[A-Za-z0-9_-]{8,64}$")],
    settings: SettingsDep,
    after: Annotated[int, Query(ge=0, description="Only messages with a larger id")] = 0,
) -> ChatReplyPublic:
    """History (after=0) or new messages since the last one seen (agents' replies)."""
    reply = history(settings, conversation_id, after)
    if reply is None:
        raise HTTPException(status_code=404, detail=f"unknown conversation: {conversation_id}")
    return ChatReplyPublic.model_validate(asdict(reply))


@router.post("/feedback", status_code=204)
def send_feedback(body: FeedbackCreate, settings: SettingsDep) -> Response:
    """Record thumbs up/down for a bot message."""
    if not rate(settings, body.conversation_id, body.message_id, body.rating):
        raise HTTPException(status_code=404, detail="no such bot message in this conversation")
    return Response(status_code=204)
