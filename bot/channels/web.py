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
from fastapi.exceptions import RequestValidationError
from pydantic import BaseModel, Field

from bot import errors
from bot.deps import SettingsDep
from bot.schemas import MAX_ID, MAX_TEXT, ChatRating, JsonInt, Lang, QuestionText, StrictBody
from conversation import live
from conversation.access import is_known, may_access, new_web_conversation
from conversation.contact import InvalidEmailError, mail_transcript, remove_contact, save_contact
from conversation.handoff import ConversationNotFoundError
from conversation.rasa_client import RasaClient
from conversation.turns import history, process_message, rate
from settings import Settings

router = APIRouter(prefix="/api/chat", tags=["chat"])
ConversationId = Annotated[str, Field(pattern=r"^[A-Za-z0-9_-]{8,64}$")]
ConversationPath = Annotated[str, Path(pattern=r"^[A-Za-z0-9_-]{8,64}$")]
TokenHeader = Annotated[
    str | None,
    Header(alias="X-Conversation-Token", max_length=128, description="Issued with the conversation id"),
]


class ChatMessageCreate(StrictBody):
    """A message from the widget; ``payload`` is set when a quick-reply button was pressed."""

    text: QuestionText
    conversation_id: ConversationId | None = None
    payload: Annotated[str, Field(max_length=MAX_TEXT, pattern=r"^/")] | None = None
    lang: Lang | None = None


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
    agent: str | None = Field(default=None, description="First name of the agent who has the chat")
    agent_typing: bool = False
    unread: int = Field(default=0, description="Agent replies the widget has not shown yet")


class FeedbackCreate(StrictBody):
    """Thumbs up or down on one bot message."""

    conversation_id: ConversationId
    message_id: JsonInt = Field(ge=1, le=MAX_ID)
    rating: Literal["up", "down"]


# An address as conversation.contact accepts it, spelled without ``\s``: Python, Rust (pydantic)
# and JSON Schema's regexes each call other characters whitespace (U+001F, U+0085, U+FEFF).
_ADDRESS_CHAR = r"[^@\x00-\x20\x7f-\x9f\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000\ufeff]"
EMAIL_TEXT = rf"^{_ADDRESS_CHAR}{{1,64}}@{_ADDRESS_CHAR}+\.{_ADDRESS_CHAR}{{2,}}$"


class ContactCreate(StrictBody):
    """An e-mail address for the helpdesk's replies, given with consent to the shown text."""

    email: Annotated[str, Field(min_length=3, max_length=254, pattern=EMAIL_TEXT)]
    consent: Literal[True]
    consent_version: Literal["email-consent-v1"] = Field(
        description="The consent text the widget showed (conversation.contact.CONSENT_VERSION)"
    )
    transcript: bool = False


class ContactPublic(BaseModel):
    """The stored address."""

    email: str
    transcript: bool


class SeenCreate(StrictBody):
    """The last message the widget showed its user."""

    message_id: JsonInt = Field(ge=1, le=MAX_ID)


class EndedPublic(BaseModel):
    """The chat's closing message, which a rating rates."""

    message_id: int


class ChatRatingCreate(StrictBody):
    """The teacher's rating of an ended chat: 1 (bad) to 5 (very good), an optional comment."""

    rating: ChatRating = Field(description="1 (bad) to 5 (very good)")
    comment: Annotated[str, Field(max_length=MAX_TEXT)] | None = None


def _with_live(settings: Settings, reply: dict[str, object]) -> dict[str, object]:
    state = live.live_state(settings, str(reply["conversation_id"]))
    return {**reply, "agent": state.agent, "agent_typing": state.agent_typing, "unread": state.unread}


def _rasa(request: Request) -> RasaClient:
    client: RasaClient = request.app.state.rasa
    return client


def _unknown(conversation_id: str) -> ConversationNotFoundError:
    """The one answer for an unknown id, a wrong token and another channel's conversation (404)."""
    return ConversationNotFoundError(conversation_id)


def _check(settings: Settings, conversation_id: str, token: str | None) -> None:
    if not may_access(settings, conversation_id, token) or not is_known(settings, conversation_id, "web"):
        raise _unknown(conversation_id)


UNKNOWN = errors.responses(404)  # an unknown id, a wrong token, another channel's conversation
_STARTED = {"path.conversation_id": "$response.body#/conversation_id"}
_TOKEN = {"header.X-Conversation-Token": "$response.body#/conversation_token"}
# OpenAPI links: what a client (and schemathesis' stateful phase) does with a new conversation.
STARTED_LINKS = {
    name: {"operationId": operation, "parameters": {**_STARTED, **_TOKEN}}
    for name, operation in (
        ("ReadMessages", "read_messages_api_chat_conversations__conversation_id__messages_get"),
        ("SendTyping", "send_typing_api_chat_conversations__conversation_id__typing_post"),
        ("PutContact", "put_contact_api_chat_conversations__conversation_id__contact_put"),
        ("DeleteContact", "delete_contact_api_chat_conversations__conversation_id__contact_delete"),
        ("EndChat", "end_chat_api_chat_conversations__conversation_id__end_post"),
        ("RateChat", "send_chat_rating_api_chat_conversations__conversation_id__rating_post"),
    )
}


@router.post(
    "/messages",
    response_model=ChatReplyPublic,
    responses=UNKNOWN,
    openapi_extra={"responses": {"200": {"links": STARTED_LINKS}}},
)
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
    answered = await run_in_threadpool(_with_live, settings, asdict(reply))
    return ChatReplyPublic.model_validate({**answered, "conversation_token": issued})


@router.get("/conversations/{conversation_id}/messages", response_model=ChatReplyPublic, responses=UNKNOWN)
def read_messages(
    conversation_id: Annotated[str, Path(pattern=r"^[A-Za-z0-9_-]{8,64}$")],
    settings: SettingsDep,
    after: Annotated[int, Query(ge=0, le=MAX_ID, description="Only messages with a larger id")] = 0,
    token: TokenHeader = None,
) -> ChatReplyPublic:
    """History (after=0) or new messages since the last one seen (agents' replies)."""
    _check(settings, conversation_id, token)
    reply = history(settings, conversation_id, after)
    if reply is None:
        raise _unknown(conversation_id)
    return ChatReplyPublic.model_validate(_with_live(settings, asdict(reply)))


@router.post(
    "/feedback",
    status_code=204,
    responses=errors.responses(
        s404=(
            "No such conversation, or no such bot message in it",
            errors.problem_body(404, "no such bot message in this conversation"),
        )
    ),
)
def send_feedback(body: FeedbackCreate, settings: SettingsDep, token: TokenHeader = None) -> Response:
    """Record thumbs up/down for a bot message."""
    _check(settings, body.conversation_id, token)
    if not rate(settings, body.conversation_id, body.message_id, body.rating):
        raise HTTPException(status_code=404, detail="no such bot message in this conversation")
    return Response(status_code=204)


@router.post("/conversations/{conversation_id}/typing", status_code=204, responses=UNKNOWN)
def send_typing(
    conversation_id: ConversationPath, settings: SettingsDep, token: TokenHeader = None
) -> Response:
    """The teacher is typing (the agent's console shows it for a few seconds)."""
    _check(settings, conversation_id, token)
    live.typing(settings, conversation_id, "user")
    return Response(status_code=204)


@router.post("/conversations/{conversation_id}/seen", status_code=204, responses=UNKNOWN)
def send_seen(
    conversation_id: ConversationPath, body: SeenCreate, settings: SettingsDep, token: TokenHeader = None
) -> Response:
    """The widget showed its user the messages up to ``message_id``: they are no longer unread."""
    _check(settings, conversation_id, token)
    live.mark_seen(settings, conversation_id, body.message_id)
    return Response(status_code=204)


@router.put("/conversations/{conversation_id}/contact", response_model=ContactPublic, responses=UNKNOWN)
def put_contact(
    conversation_id: ConversationPath,
    body: ContactCreate,
    settings: SettingsDep,
    token: TokenHeader = None,
    lang: Annotated[Literal["en", "nl", "sl"], Query()] = "en",
) -> ContactPublic:
    """Leave an e-mail address: agent replies (and, if asked, the transcript) are mailed there."""
    _check(settings, conversation_id, token)
    try:
        contact = save_contact(
            settings, conversation_id, body.email, language=lang, transcript=body.transcript
        )
    except InvalidEmailError:
        error = {"loc": ("body", "email"), "msg": "not an e-mail address", "type": "value_error"}
        raise RequestValidationError([error]) from None
    if contact is None:
        raise _unknown(conversation_id)
    return ContactPublic(email=contact.email, transcript=contact.transcript)


@router.delete("/conversations/{conversation_id}/contact", status_code=204, responses=UNKNOWN)
def delete_contact(
    conversation_id: ConversationPath, settings: SettingsDep, token: TokenHeader = None
) -> Response:
    """Withdraw the address and the consent."""
    _check(settings, conversation_id, token)
    remove_contact(settings, conversation_id)
    return Response(status_code=204)


@router.post("/conversations/{conversation_id}/end", response_model=EndedPublic, responses=UNKNOWN)
async def end_chat(
    conversation_id: ConversationPath, settings: SettingsDep, token: TokenHeader = None
) -> EndedPublic:
    """End the chat for both sides (the agent's handoff closes); mail the transcript if asked."""
    await run_in_threadpool(_check, settings, conversation_id, token)
    closing = await run_in_threadpool(live.end_chat, settings, conversation_id)
    if closing is None:
        raise _unknown(conversation_id)
    await run_in_threadpool(mail_transcript, settings, conversation_id)
    return EndedPublic(message_id=closing)


@router.post(
    "/conversations/{conversation_id}/rating",
    status_code=204,
    responses=errors.responses(
        404, s409=("The chat has not ended yet", errors.problem_body(409, "end the chat first"))
    ),
)
def send_chat_rating(
    conversation_id: ConversationPath,
    body: ChatRatingCreate,
    settings: SettingsDep,
    token: TokenHeader = None,
) -> Response:
    """Rate an ended chat (counted in the helpdesk's per-agent figures)."""
    _check(settings, conversation_id, token)
    if not live.rate_chat(settings, conversation_id, body.rating, body.comment):
        raise HTTPException(status_code=409, detail="end the chat first")
    return Response(status_code=204)
