"""Builders for the console tests: agents, signed-in clients, seeded conversations, a fake Rasa."""

from __future__ import annotations

import datetime as dt
import re
import threading
from dataclasses import dataclass, field
from typing import Any

from fastapi import FastAPI, Request
from fastapi.testclient import TestClient

from bot.schemas import AgentCreate, AgentPublic
from conversation import agents
from conversation.db import session_scope
from conversation.models import Conversation, Handoff, Message
from conversation.reply_items import ReplyKind
from settings import Settings
from tests.factories import load_domain

PASSWORD = "correct horse battery staple"
CSRF_META = re.compile(r'<meta name="csrf-token" content="([^"]+)">')
LOGIN_TOKEN = re.compile(r'name="csrf_token" value="([^"]+)"')

# Records what the page asks of the Notification and Web Audio APIs (the real ones still run).
ALERT_RECORDER = """
window.__notifications = [];
window.__tones = 0;
const NativeNotification = window.Notification;
class RecordedNotification extends NativeNotification {
  constructor(title, options) {
    window.__notifications.push({ title: title, body: (options || {}).body, tag: (options || {}).tag });
    super(title, options);
  }
}
Object.defineProperty(RecordedNotification, "permission", { get: () => NativeNotification.permission });
RecordedNotification.requestPermission = (...args) => NativeNotification.requestPermission(...args);
window.Notification = RecordedNotification;
const nativeStart = OscillatorNode.prototype.start;
OscillatorNode.prototype.start = function (...args) {
  window.__tones += 1;
  return nativeStart.apply(this, args);
};
"""


def make_agent(
    settings: Settings, email: str, role: str = "agent", name: str | None = None, password: str = PASSWORD
) -> AgentPublic:
    """A console user in the settings' database."""
    return agents.create_agent(
        settings,
        AgentCreate.model_validate(
            {
                "email": email,
                "name": name or email.split("@", maxsplit=1)[0].title(),
                "role": role,
                "password": password,
            }
        ),
    )


def login_token(client: TestClient) -> str:
    """Open the login form (sets its CSRF cookie) and return the form's token."""
    page = client.get("/console/login")
    match = LOGIN_TOKEN.search(page.text)
    assert match, page.text
    return match.group(1)


def post_login(client: TestClient, email: str, password: str = PASSWORD) -> Any:
    """Submit the login form as a browser would."""
    return client.post(
        "/console/login",
        data={"email": email, "password": password, "csrf_token": login_token(client)},
        follow_redirects=False,
    )


def sign_in(client: TestClient, email: str, password: str = PASSWORD) -> str:
    """Sign ``client`` in; returns the session's CSRF token (from the page's meta tag)."""
    response = post_login(client, email, password)
    assert response.status_code == 303, response.text
    page = client.get("/console/queue")
    match = CSRF_META.search(page.text)
    assert match, page.text
    return match.group(1)


def response_text(name: str, lang: str = "en") -> str:
    """A domain response's text in ``lang`` (variants are stored nl, sl, en)."""
    return str(load_domain()["responses"][name][{"nl": 0, "sl": 1, "en": 2}[lang]]["text"])


def handoff_text(hours: str = "Mon–Fri 09:00–17:00", lang: str = "en", availability: str = "") -> str:
    """utter_handoff as Rasa fills it."""
    text = response_text("utter_handoff", lang).replace("{hours}", hours)
    return text.replace("{availability}", availability)


SOURCE = "EC FAQ (2022), eTwinning question 1"


def answer_text(answer: str, source: str = SOURCE) -> str:
    """utter_faq_answer as Rasa fills it (English)."""
    return f"{answer}\n\nSource: {source}"


@dataclass
class Turn:
    """A message to seed: role, text and optional payload, rating, status, buttons; for bot
    messages what the turn stores from the reply's item (kind, result, sources)."""

    role: str
    text: str
    payload: str | None = None
    rating: str | None = None
    status: str = "sent"
    buttons: list[dict[str, Any]] = field(default_factory=list)
    kind: str | None = None
    result: str | None = None
    sources: list[str] = field(default_factory=list)


def answer_turn(answer: str, source: str = SOURCE, rating: str | None = None) -> Turn:
    """An FAQ answer with its source line, as the turn stores it."""
    return Turn(
        "bot",
        answer_text(answer, source),
        rating=rating,
        kind=ReplyKind.FAQ,
        result="answered",
        sources=[source],
    )


def missed_turn(lang: str = "en") -> Turn:
    """The assistant found no answer and asks to rephrase."""
    return Turn("bot", response_text("utter_faq_rephrase", lang), kind=ReplyKind.FALLBACK, result="fallback")


def clarify_turn(buttons: list[dict[str, Any]], lang: str = "en") -> Turn:
    """The assistant is unsure and offers the closest questions."""
    return Turn(
        "bot",
        response_text("utter_faq_clarify", lang),
        buttons=buttons,
        kind=ReplyKind.CLARIFY,
        result="clarify",
    )


def handoff_turn(reason: str = "requested", lang: str = "en") -> Turn:
    """The assistant passed the conversation to the helpdesk (``reason``: requested | fallback)."""
    return Turn("bot", handoff_text(lang=lang), kind=ReplyKind.HANDOFF, result=reason)


def seed_conversation(
    settings: Settings,
    conversation_id: str,
    turns: list[Turn],
    *,
    channel: str = "web",
    language: str = "en",
    handoff: str | None = None,
    handoff_status: str = "waiting",
    at: dt.datetime | None = None,
) -> str:
    """Store a conversation with ``turns`` (and a handoff with reason ``handoff``)."""
    when = at or dt.datetime.now(dt.UTC)
    with session_scope(settings.database_url) as session:
        session.add(
            Conversation(
                id=conversation_id,
                channel=channel,
                language=language,
                status="handoff" if handoff and handoff_status != "closed" else "bot",
                created_at=when,
                updated_at=when,
            )
        )
        session.flush()
        for i, t in enumerate(turns):
            session.add(
                Message(
                    conversation_id=conversation_id,
                    role=t.role,
                    text=t.text,
                    payload=t.payload,
                    rating=t.rating,
                    status=t.status,
                    buttons=t.buttons,
                    kind=t.kind,
                    result=t.result,
                    sources=t.sources if t.role == "bot" else None,
                    language=language,
                    created_at=when + dt.timedelta(seconds=i),
                )
            )
        if handoff:
            last = next((t.text for t in reversed(turns) if t.role == "user"), "")
            session.add(
                Handoff(
                    conversation_id=conversation_id,
                    language=language,
                    reason=handoff,
                    last_message=last,
                    status=handoff_status,
                    created_at=when + dt.timedelta(seconds=len(turns)),
                )
            )
    return conversation_id


def waiting_conversation(settings: Settings, conversation_id: str, **kwargs: Any) -> str:
    """A web conversation whose user asked for a person after an answer."""
    return seed_conversation(
        settings,
        conversation_id,
        [
            Turn("user", "How do I join an eTwinning group?", status="answered"),
            answer_turn("Open the group and press Join."),
            Turn("user", "Talk to a person", payload="/ask_human", status="answered"),
            handoff_turn("requested"),
        ],
        handoff="requested",
        **kwargs,
    )


@dataclass
class FakeRasa:
    """Rasa's REST channel and tracker-events API: records calls, answers every message."""

    messages: list[dict[str, Any]] = field(default_factory=list)
    events: list[tuple[str, list[dict[str, Any]]]] = field(default_factory=list)
    reply: str = "The assistant answers again."
    url: str = ""
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def reset(self) -> None:
        with self._lock:
            self.messages.clear()
            self.events.clear()

    def app(self) -> FastAPI:
        app = FastAPI()

        @app.post("/webhooks/rest/webhook")
        async def webhook(request: Request) -> list[dict[str, Any]]:
            body: dict[str, Any] = await request.json()
            with self._lock:
                self.messages.append(body)
            return [{"recipient_id": body["sender"], "text": self.reply}]

        @app.post("/conversations/{sender}/tracker/events")
        async def events(sender: str, request: Request) -> dict[str, Any]:
            body: list[dict[str, Any]] = await request.json()
            with self._lock:
                self.events.append((sender, body))
            return {"sender_id": sender, "events": body}

        return app


@dataclass(frozen=True)
class LiveConsole:
    """The app served on loopback with its settings (to seed the database it reads)."""

    url: str
    settings: Settings
