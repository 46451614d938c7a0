"""Admin-only console routes: users and their password-reset links, opening hours, saved replies,
and erasing a conversation (GDPR).

Every route here needs the admin role (``AdminAgent``); the permission test finds them by the
``/console/admin`` prefix and the erase path.
"""

from __future__ import annotations

import datetime as dt
import logging
from typing import Annotated, Any

from fastapi import APIRouter, Form, HTTPException, Request, Response
from fastapi.responses import HTMLResponse, RedirectResponse
from pydantic import BaseModel, ValidationError

from bot.console import i18n
from bot.console.common import ConsoleRoute, ConversationId, render_page
from bot.deps import AdminAgent, CsrfChecked, SettingsDep
from bot.schemas import AgentCreate, ConsoleAgent
from conversation import agents, transcripts
from conversation.agents import AccountError, UnknownAgentError
from conversation.opening_hours import (
    HOLIDAY_COUNTRIES,
    Schedule,
    ScheduleError,
    free_text_hours,
    opening_hours,
    saved_schedule,
    schedule,
    set_opening_hours,
    set_schedule,
)
from conversation.password_reset import issue_reset
from conversation.privacy import erase_conversation
from conversation.saved_replies import (
    SavedReplyError,
    create_saved_reply,
    delete_saved_reply,
    list_saved_replies,
)
from conversation.texts import availability_text
from settings import Settings

log = logging.getLogger(__name__)
router = APIRouter(route_class=ConsoleRoute)


def _admin_page(
    request: Request, settings: Settings, agent: ConsoleAgent, status_code: int = 200, **extra: Any
) -> HTMLResponse:
    return render_page(
        request,
        "admin.html",
        status_code,
        agent=agent,
        users=agents.list_agents(settings),
        hours=free_text_hours(settings),
        told_hours=opening_hours(settings, i18n.request_language(request)),
        default_hours=settings.opening_hours,
        schedule=schedule(settings),
        schedule_saved=saved_schedule(settings) is not None,
        holiday_countries=HOLIDAY_COUNTRIES,
        availability=availability_text(settings, i18n.request_language(request)),
        saved_replies=list_saved_replies(settings),
        languages=settings.languages,
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


WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


def _day_hours(opens: str, closes: str) -> tuple[dt.time, dt.time] | None:
    if not opens and not closes:
        return None
    return dt.time.fromisoformat(opens), dt.time.fromisoformat(closes)


@router.post(
    "/admin/opening-schedule",
    response_class=HTMLResponse,
    include_in_schema=False,
    dependencies=[CsrfChecked],
)
async def update_opening_schedule(request: Request, settings: SettingsDep, agent: AdminAgent) -> Response:
    """Save the weekly schedule (``<day>_opens``/``<day>_closes`` as HH:MM, empty = closed).

    ``reset`` drops the saved schedule: the default schedule and the free-text hours apply again.
    """
    form = await request.form()
    if form.get("reset"):
        set_schedule(settings, None, agent.id)
        return RedirectResponse("/console/admin?done=schedule", status_code=303)
    try:
        days = tuple(
            _day_hours(str(form.get(f"{d}_opens", ""))[:5], str(form.get(f"{d}_closes", ""))[:5])
            for d in WEEKDAYS
        )
        new = Schedule(
            days=days,
            timezone=str(form.get("timezone", "")).strip()[:64],
            holidays=str(form.get("holidays", ""))[:2],
        )
    except (ScheduleError, ValueError):  # a bad schedule, or a time that is not HH:MM
        return _admin_page(request, settings, agent, 400, error="schedule")
    set_schedule(settings, new, agent.id)
    return RedirectResponse("/console/admin?done=schedule", status_code=303)


@router.post(
    "/admin/users/{agent_id}/reset-link",
    response_class=HTMLResponse,
    include_in_schema=False,
    dependencies=[CsrfChecked],
)
def create_reset_link(request: Request, agent_id: int, settings: SettingsDep, agent: AdminAgent) -> Response:
    """Issue a single-use password-reset link for a user, shown once on the page (never in a URL)."""
    try:
        token = issue_reset(settings, agent_id, agent.id)
    except UnknownAgentError as exc:
        raise HTTPException(status_code=404, detail="no such user") from exc
    link = str(request.base_url).rstrip("/") + f"/console/reset/{token}"
    response = _admin_page(
        request,
        settings,
        agent,
        reset_link=link,
        reset_for=agent_id,
        reset_hours=settings.password_reset_hours,
    )
    response.headers["Cache-Control"] = "no-store"
    return response


@router.post(
    "/admin/saved-replies", response_class=HTMLResponse, include_in_schema=False, dependencies=[CsrfChecked]
)
def add_saved_reply(
    request: Request,
    settings: SettingsDep,
    *,
    agent: AdminAgent,
    language: Annotated[str, Form(max_length=8)],
    shortcut: Annotated[str, Form(max_length=40)],
    text: Annotated[str, Form(max_length=4000)],
) -> Response:
    """Add a saved reply for one language; the form comes back with the problem if refused."""
    try:
        create_saved_reply(settings, language, shortcut, text, agent.id)
    except SavedReplyError:
        form = {"language": language, "shortcut": shortcut, "text": text}
        return _admin_page(request, settings, agent, 400, error="saved_reply", reply_form=form)
    return RedirectResponse("/console/admin?done=saved_reply", status_code=303)


@router.post("/admin/saved-replies/{reply_id}/delete", include_in_schema=False, dependencies=[CsrfChecked])
def remove_saved_reply(reply_id: int, settings: SettingsDep, _agent: AdminAgent) -> RedirectResponse:
    """Delete a saved reply."""
    if not delete_saved_reply(settings, reply_id):
        raise HTTPException(status_code=404, detail="no such saved reply")
    return RedirectResponse("/console/admin?done=saved_reply_deleted", status_code=303)


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
