"""The console's server-rendered pages (the scripts in bot/static/console/ make them live).

Pages only render what the conversation layer returns; the live updates and every state change
go through the JSON routes in :mod:`bot.console.api` and :mod:`bot.console.events`.
"""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse

from bot.console.common import ConsoleRoute, ConversationId, remember_language, render_page, safe_next
from bot.deps import CsrfChecked, CurrentAgent, RetrieverDep, SettingsDep
from conversation import transcripts
from conversation.handoff import queue

router = APIRouter(route_class=ConsoleRoute)


def home(_agent: CurrentAgent) -> RedirectResponse:
    """The console starts at the queue.

    Registered by :mod:`bot.console` on its own router: its path is the empty string, which
    FastAPI refuses in an included router.
    """
    return RedirectResponse("/console/queue", status_code=303)


@router.get("/queue", response_class=HTMLResponse, include_in_schema=False)
def queue_page(request: Request, settings: SettingsDep, agent: CurrentAgent) -> HTMLResponse:
    """Conversations waiting for a person (updated live by queue.js)."""
    return render_page(request, "queue.html", agent=agent, items=queue(settings), page="queue")


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
    return render_page(request, "conversation.html", agent=agent, conv=conv, page="transcripts")


@router.get("/tools", response_class=HTMLResponse, include_in_schema=False)
def tools_page(request: Request, agent: CurrentAgent, settings: SettingsDep) -> HTMLResponse:
    """KB search and rules checker, on the same APIs the assistant uses."""
    return render_page(request, "tools.html", agent=agent, languages=settings.languages, page="tools")


@router.get("/analytics", response_class=HTMLResponse, include_in_schema=False)
def analytics_page(request: Request, agent: CurrentAgent) -> HTMLResponse:
    """Charts and missed-question clusters (drawn by analytics.js from /console/api/analytics)."""
    return render_page(request, "analytics.html", agent=agent, page="analytics")


@router.post("/language", include_in_schema=False, dependencies=[CsrfChecked])
def set_language(
    settings: SettingsDep,
    _agent: CurrentAgent,
    lang: Annotated[Literal["en", "nl", "sl"], Form()],
    next_url: Annotated[str, Form(alias="next", max_length=500)] = "/console/queue",
) -> RedirectResponse:
    """The header's language picker: remember the agent's choice and show the same page again."""
    response = RedirectResponse(safe_next(next_url), status_code=303)
    remember_language(response, lang, secure=settings.environment == "production")
    return response
