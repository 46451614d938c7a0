"""The helpdesk console for NSO agents: sign-in, queue, takeover, transcripts, tools, analytics, admin.

Pages are server-rendered (Jinja, autoescaped) and enhanced by the scripts in
bot/static/console/; the live parts use the JSON and Server-Sent Events routes under
/console/api/. Every route except the login form needs a session; every state change needs
the session's CSRF token; the admin routes need the admin role.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import secrets
import time
from collections.abc import AsyncIterator, Callable, Coroutine
from pathlib import Path as FilePath
from typing import Annotated, Any

from fastapi import APIRouter, Form, HTTPException, Path, Query, Request, Response
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse, RedirectResponse, StreamingResponse
from fastapi.routing import APIRoute
from fastapi.templating import Jinja2Templates
from pydantic import BaseModel, ValidationError

from bot.channels.delivery import deliver
from bot.deps import (
    CSRF_FIELD,
    SESSION_COOKIE,
    AdminAgent,
    CsrfChecked,
    CurrentAgent,
    RetrieverDep,
    SettingsDep,
)
from bot.schemas import (
    ActionResultPublic,
    ActionWarning,
    AgentCreate,
    AnalyticsPublic,
    ConsoleAgent,
    ConversationPublic,
    NoteCreate,
    QueueItemPublic,
    ReplyCreate,
    TranscriptQuery,
)
from conversation import agents, analytics, transcripts
from conversation import changes as live
from conversation import handoff as handoffs
from conversation.agents import SESSION_LIFETIME, AccountError, UnknownAgentError
from conversation.clock import utcnow
from conversation.opening_hours import opening_hours, set_opening_hours
from conversation.privacy import erase_conversation
from conversation.rasa_client import RasaClient, RasaUnavailableError
from settings import Settings

BOT_DIR = FilePath(__file__).resolve().parent.parent
log = logging.getLogger(__name__)
templates = Jinja2Templates(directory=BOT_DIR / "templates")
STATIC_DIR = BOT_DIR / "static" / "console"
LOGIN_CSRF_COOKIE = "nso_console_login"
STREAM_SECONDS = 300.0  # an event stream ends after this; EventSource reconnects (re-checking the session)
HEARTBEAT_SECONDS = 15.0
SECURITY_HEADERS = {
    "Content-Security-Policy": (
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
        "connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'"
    ),
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "Cache-Control": "no-store",
}
ConversationId = Annotated[str, Path(pattern=r"^[A-Za-z0-9_.:-]{1,128}$")]


class ConsoleRoute(APIRoute):
    """Adds the console's security headers to every response (strict CSP, no framing, no caching)."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        """Wrap FastAPI's handler to set the headers on whatever the route returns."""
        handler = super().get_route_handler()

        async def with_headers(request: Request) -> Response:
            response = await handler(request)
            for key, value in SECURITY_HEADERS.items():
                response.headers.setdefault(key, value)
            return response

        return with_headers


router = APIRouter(prefix="/console", tags=["console"], route_class=ConsoleRoute)


def _utc(value: dt.datetime | None) -> str:
    return value.strftime("%Y-%m-%d %H:%M UTC") if value else ""


templates.env.filters["utc"] = _utc


def _page(request: Request, name: str, status_code: int = 200, **context: Any) -> HTMLResponse:
    return templates.TemplateResponse(request, f"console/{name}", context, status_code=status_code)


# --- sign-in -------------------------------------------------------------------------------------


def _safe_next(target: str | None) -> str:
    """Only console paths: a login link cannot send the agent to another site."""
    if target and target.startswith("/console/") and not target.startswith("//") and "\\" not in target:
        return target
    return "/console/queue"


def _login_form(
    request: Request, settings: Settings, next_url: str, *, error: bool = False, status_code: int = 200
) -> HTMLResponse:
    token = secrets.token_urlsafe(32)
    response = _page(request, "login.html", status_code, csrf_token=token, next_url=next_url, error=error)
    response.set_cookie(
        LOGIN_CSRF_COOKIE,
        token,
        httponly=True,
        samesite="strict",
        secure=settings.environment == "production",
        path="/console/login",
        max_age=3600,
    )
    return response


@router.get("/login", response_class=HTMLResponse, include_in_schema=False)
def login_form(request: Request, settings: SettingsDep, next: str | None = None) -> Response:
    """The sign-in form (already signed in: straight to the queue)."""
    token = request.cookies.get(SESSION_COOKIE)
    if token and agents.session_agent(settings, token):
        return RedirectResponse(_safe_next(next), status_code=303)
    return _login_form(request, settings, _safe_next(next))


@router.post("/login", response_class=HTMLResponse, include_in_schema=False)
def login(
    request: Request,
    settings: SettingsDep,
    *,
    email: Annotated[str, Form(max_length=254)],
    password: Annotated[str, Form(max_length=256)],
    csrf_token: Annotated[str, Form(alias=CSRF_FIELD, max_length=128)] = "",
    next_url: Annotated[str, Form(alias="next", max_length=500)] = "/console/queue",
) -> Response:
    """Check the password (argon2) and start a session; one generic error for every failure.

    The form's token must match the cookie set with the form (double submit), so another site
    cannot sign an agent in to an account of its choosing.
    """
    cookie = request.cookies.get(LOGIN_CSRF_COOKIE, "")
    if not cookie or not secrets.compare_digest(cookie.encode(), csrf_token.encode()):
        raise HTTPException(status_code=403, detail="missing or wrong CSRF token")
    agent = agents.authenticate(settings, email, password)
    if agent is None:
        return _login_form(request, settings, _safe_next(next_url), error=True, status_code=401)
    old = request.cookies.get(SESSION_COOKIE)
    if old:
        agents.close_session(settings, old)
    response = RedirectResponse(_safe_next(next_url), status_code=303)
    response.set_cookie(
        SESSION_COOKIE,
        agents.open_session(settings, agent.id),
        max_age=int(SESSION_LIFETIME.total_seconds()),
        httponly=True,
        samesite="lax",
        secure=settings.environment == "production",
        path="/console",
    )
    response.delete_cookie(LOGIN_CSRF_COOKIE, path="/console/login")
    return response


@router.post("/logout", include_in_schema=False, dependencies=[CsrfChecked])
def logout(request: Request, settings: SettingsDep, _agent: CurrentAgent) -> RedirectResponse:
    """End the session on the server and drop the cookie."""
    agents.close_session(settings, request.cookies.get(SESSION_COOKIE, ""))
    response = RedirectResponse("/console/login", status_code=303)
    response.delete_cookie(SESSION_COOKIE, path="/console")
    return response


# --- pages ---------------------------------------------------------------------------------------


@router.get("", include_in_schema=False)
def home(_agent: CurrentAgent) -> RedirectResponse:
    """The console starts at the queue."""
    return RedirectResponse("/console/queue", status_code=303)


@router.get("/queue", response_class=HTMLResponse, include_in_schema=False)
def queue_page(request: Request, settings: SettingsDep, agent: CurrentAgent) -> HTMLResponse:
    """Conversations waiting for a person (updated live by queue.js)."""
    return _page(request, "queue.html", agent=agent, items=handoffs.queue(settings), page="queue")


@router.get("/conversations/{conversation_id}", response_class=HTMLResponse, include_in_schema=False)
def conversation_page(
    request: Request,
    conversation_id: ConversationId,
    settings: SettingsDep,
    retriever: RetrieverDep,
    agent: CurrentAgent,
) -> HTMLResponse:
    """A conversation: transcript with sources, ratings and KB match; takeover, reply, notes."""
    conv = transcripts.conversation(settings, conversation_id, retriever=retriever)
    return _page(request, "conversation.html", agent=agent, conv=conv, page="transcripts")


@router.get("/transcripts", response_class=HTMLResponse, include_in_schema=False)
def transcripts_page(
    request: Request,
    settings: SettingsDep,
    agent: CurrentAgent,
    query: Annotated[TranscriptQuery, Query()],
) -> HTMLResponse:
    """Every conversation, searchable by text, date, language, channel, outcome and feedback."""
    found = transcripts.transcripts(settings, query)
    params = query.model_dump(exclude={"page"}, exclude_none=True, exclude_defaults=True)
    return _page(
        request,
        "transcripts.html",
        agent=agent,
        query=query,
        found=found,
        params=params,
        done=request.query_params.get("done"),  # set by the conversation page after an erasure
        page="transcripts",
    )


@router.get("/transcripts.csv", include_in_schema=False)
def transcripts_csv(
    settings: SettingsDep, _agent: CurrentAgent, query: Annotated[TranscriptQuery, Query()]
) -> StreamingResponse:
    """The matching conversations, one row per message (all pages)."""
    name = f"transcripts-{utcnow():%Y%m%d-%H%M}.csv"
    return StreamingResponse(
        transcripts.transcripts_csv(settings, query),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )


@router.get("/tools", response_class=HTMLResponse, include_in_schema=False)
def tools_page(request: Request, agent: CurrentAgent, settings: SettingsDep) -> HTMLResponse:
    """KB search and rules checker, on the same APIs the assistant uses."""
    return _page(request, "tools.html", agent=agent, languages=settings.languages, page="tools")


@router.get("/analytics", response_class=HTMLResponse, include_in_schema=False)
def analytics_page(request: Request, agent: CurrentAgent) -> HTMLResponse:
    """Charts and missed-question clusters (drawn by analytics.js from /console/api/analytics)."""
    return _page(request, "analytics.html", agent=agent, page="analytics")


# --- admin ---------------------------------------------------------------------------------------


def _admin_page(
    request: Request, settings: Settings, agent: ConsoleAgent, status_code: int = 200, **extra: Any
) -> HTMLResponse:
    return _page(
        request,
        "admin.html",
        status_code,
        agent=agent,
        users=agents.list_agents(settings),
        hours=opening_hours(settings),
        default_hours=settings.opening_hours,
        done=request.query_params.get("done"),
        page="admin",
        **extra,
    )


@router.get("/admin", response_class=HTMLResponse, include_in_schema=False)
def admin_page(request: Request, settings: SettingsDep, agent: AdminAgent) -> HTMLResponse:
    """Users and opening hours."""
    return _admin_page(request, settings, agent)


@router.post("/admin/users", response_class=HTMLResponse, include_in_schema=False, dependencies=[CsrfChecked])
def create_user(
    request: Request,
    settings: SettingsDep,
    *,
    agent: AdminAgent,
    email: Annotated[str, Form(max_length=254)],
    name: Annotated[str, Form(max_length=100)],
    password: Annotated[str, Form(max_length=256)],
    role: Annotated[str, Form(max_length=8)] = "agent",
) -> Response:
    """Create an agent or admin; the form comes back with the problem if the input is refused."""
    form = {"email": email, "name": name, "role": role}
    try:
        new = AgentCreate.model_validate({**form, "password": password})
        agents.create_agent(settings, new)
    except ValidationError as exc:
        fields = sorted({str(e["loc"][0]) for e in exc.errors() if e.get("loc")})
        return _admin_page(request, settings, agent, 400, error="invalid", fields=fields, form=form)
    except AccountError:
        return _admin_page(request, settings, agent, 409, error="exists", form=form)
    return RedirectResponse("/console/admin?done=created", status_code=303)


def _set_active(settings: Settings, agent_id: int, *, active: bool) -> None:
    try:
        agents.set_active(settings, active=active, agent_id=agent_id)
    except UnknownAgentError as exc:
        raise HTTPException(status_code=404, detail="no such user") from exc


@router.post("/admin/users/{agent_id}/disable", include_in_schema=False, dependencies=[CsrfChecked])
def disable_user(agent_id: int, settings: SettingsDep, agent: AdminAgent) -> RedirectResponse:
    """Disable an agent and end their sessions (not yourself: someone must stay admin)."""
    if agent_id == agent.id:
        return RedirectResponse("/console/admin?done=self", status_code=303)
    _set_active(settings, agent_id, active=False)
    return RedirectResponse("/console/admin?done=disabled", status_code=303)


@router.post("/admin/users/{agent_id}/enable", include_in_schema=False, dependencies=[CsrfChecked])
def enable_user(agent_id: int, settings: SettingsDep, _agent: AdminAgent) -> RedirectResponse:
    """Enable an agent again (also lifts a lockout)."""
    _set_active(settings, agent_id, active=True)
    return RedirectResponse("/console/admin?done=enabled", status_code=303)


@router.post("/admin/opening-hours", include_in_schema=False, dependencies=[CsrfChecked])
def update_opening_hours(
    settings: SettingsDep, agent: AdminAgent, hours: Annotated[str, Form(max_length=200)] = ""
) -> RedirectResponse:
    """Change the opening hours quoted to users at handoff (empty: back to the configured default)."""
    set_opening_hours(settings, hours, agent.id)
    return RedirectResponse("/console/admin?done=hours", status_code=303)


# --- console API: queue and conversations --------------------------------------------------------


@router.get("/api/queue", response_model=list[QueueItemPublic])
def read_queue(settings: SettingsDep, _agent: CurrentAgent) -> list[QueueItemPublic]:
    """Open handoffs, oldest first."""
    return handoffs.queue(settings)


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
        items = handoffs.queue(settings)
        key = json.dumps([i.model_dump(mode="json", exclude={"waiting_seconds"}) for i in items])
        data = json.dumps({"now": utcnow().isoformat(), "items": [i.model_dump(mode="json") for i in items]})
        return key, data

    return _sse(_event_stream(request, settings, snapshot))


@router.get("/api/conversations/{conversation_id}", response_model=ConversationPublic)
def read_conversation(
    conversation_id: ConversationId,
    settings: SettingsDep,
    _agent: CurrentAgent,
    after: Annotated[int, Query(ge=0)] = 0,
) -> ConversationPublic:
    """A conversation's messages after ``after``, its notes and handoff."""
    return transcripts.conversation(settings, conversation_id, after=after)


@router.get("/api/conversations/{conversation_id}/events", response_class=StreamingResponse)
def conversation_events(
    request: Request,
    conversation_id: ConversationId,
    settings: SettingsDep,
    _agent: CurrentAgent,
    after: Annotated[int, Query(ge=0)] = 0,
) -> StreamingResponse:
    """New messages, notes and handoff changes of one conversation as Server-Sent Events."""
    transcripts.conversation(settings, conversation_id, after=after)  # 404 before the stream starts

    def snapshot() -> tuple[str, str]:
        data = transcripts.conversation(settings, conversation_id, after=after).model_dump_json()
        return data, data

    return _sse(_event_stream(request, settings, snapshot, conversation_id))


def _rasa(request: Request) -> RasaClient:
    client: RasaClient = request.app.state.rasa
    return client


@router.post(
    "/api/conversations/{conversation_id}/take",
    response_model=ActionResultPublic,
    dependencies=[CsrfChecked],
    responses={409: {"description": "Another agent took it first, or nobody is waiting"}},
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
    responses={409: {"description": "Take the conversation over first"}},
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
    return ActionResultPublic(message=message, warnings=warnings)


@router.post(
    "/api/conversations/{conversation_id}/notes",
    response_model=ActionResultPublic,
    dependencies=[CsrfChecked],
)
def add_note(
    conversation_id: ConversationId, body: NoteCreate, settings: SettingsDep, agent: CurrentAgent
) -> ActionResultPublic:
    """Add an internal note (agents only; never sent to the user)."""
    return ActionResultPublic(note=handoffs.add_note(settings, conversation_id, agent, body.text))


async def _finish(
    request: Request, settings: Settings, conversation_id: str, agent: CurrentAgent, *, hand_back: bool
) -> ActionResultPublic:
    handoff, notice, channel = await run_in_threadpool(
        handoffs.finish, settings, conversation_id, agent, hand_back=hand_back
    )
    warnings: list[ActionWarning] = []
    try:
        await _rasa(request).set_slot(conversation_id, "handoff", False)
    except RasaUnavailableError:
        warnings.append("rasa_unavailable")
    if not await deliver(settings, channel, conversation_id, notice.text):
        warnings.append("delivery_failed")
    return ActionResultPublic(handoff=handoff, warnings=warnings)


@router.post(
    "/api/conversations/{conversation_id}/handback",
    response_model=ActionResultPublic,
    dependencies=[CsrfChecked],
    responses={409: {"description": "Another agent has it, or there is no open handoff"}},
)
async def hand_back(
    request: Request, conversation_id: ConversationId, settings: SettingsDep, agent: CurrentAgent
) -> ActionResultPublic:
    """Close the handoff and give the conversation back to the assistant (Rasa slot handoff=false).

    Rasa being down does not block this: the handoff is closed, and the result carries the
    ``rasa_unavailable`` warning for the page to show.
    """
    return await _finish(request, settings, conversation_id, agent, hand_back=True)


@router.post(
    "/api/conversations/{conversation_id}/close",
    response_model=ActionResultPublic,
    dependencies=[CsrfChecked],
    responses={409: {"description": "Another agent has it, or there is no open handoff"}},
)
async def close(
    request: Request, conversation_id: ConversationId, settings: SettingsDep, agent: CurrentAgent
) -> ActionResultPublic:
    """Close the handoff and the conversation (solved); a new message goes to the assistant."""
    return await _finish(request, settings, conversation_id, agent, hand_back=False)


# --- console API: privacy (admins) ---------------------------------------------------------------


class ErasurePublic(BaseModel):
    """What erasing a conversation removed; ``rasa_tracker_erased`` is false if Rasa was unreachable."""

    conversation_id: str
    messages: int
    handoffs: int
    rasa_tracker_erased: bool


@router.post(
    "/api/conversations/{conversation_id}/erase",
    response_model=ErasurePublic,
    dependencies=[CsrfChecked],
    responses={404: {"description": "No such conversation"}},
)
def erase(conversation_id: ConversationId, settings: SettingsDep, agent: AdminAgent) -> ErasurePublic:
    """Erase the conversation everywhere (GDPR), with the service ``python -m bot privacy erase`` uses.

    Its messages, handoffs and notes leave the gateway database and its Rasa tracker is emptied.
    If Rasa cannot be reached the rows are still gone and the result says so: the tracker must
    then be erased with the CLI once Rasa is up. The log records who erased which id, no content.
    """
    transcripts.conversation(settings, conversation_id)  # 404 before anything is deleted or sent to Rasa
    result = erase_conversation(settings, conversation_id)
    erased = ErasurePublic(
        conversation_id=conversation_id,
        messages=int(result["messages"]),
        handoffs=int(result["handoffs"]),
        rasa_tracker_erased=bool(result["rasa_tracker_erased"]),
    )
    log.info(
        "console: admin %s erased %s (%s messages, %s handoffs; Rasa tracker %s)",
        agent.id,
        conversation_id,
        erased.messages,
        erased.handoffs,
        "emptied" if erased.rasa_tracker_erased else "NOT erased: run the privacy CLI when Rasa is up",
    )
    return erased


# --- console API: analytics ----------------------------------------------------------------------


@router.get("/api/analytics", response_model=AnalyticsPublic)
def read_analytics(
    settings: SettingsDep,
    retriever: RetrieverDep,
    _agent: CurrentAgent,
    days: Annotated[int, Query(ge=1, le=365)] = 30,
) -> AnalyticsPublic:
    """Volume, feedback, handoff rate and missed-question clusters with KB drafts."""
    return analytics.analytics(settings, retriever, days)
