"""FastAPI dependencies: settings, the process-wide retriever, the console's signed-in agent."""

from __future__ import annotations

import hmac
from typing import Annotated

from fastapi import Depends, HTTPException, Request

from bot.errors import LoginRequiredError
from bot.schemas import ConsoleAgent
from conversation.agents import session_agent
from knowledge.retrieve import Retriever
from knowledge.service import get_retriever as shared_retriever
from settings import Settings, get_settings


def get_retriever(settings: Annotated[Settings, Depends(get_settings)]) -> Retriever:
    """The retriever shared with the Rasa actions, warmed up at app start-up."""
    return shared_retriever(settings)


SettingsDep = Annotated[Settings, Depends(get_settings)]
RetrieverDep = Annotated[Retriever, Depends(get_retriever)]


# --- helpdesk console -----------------------------------------------------------------------------

SESSION_COOKIE = "nso_console"
CSRF_HEADER = "X-CSRF-Token"
CSRF_FIELD = "csrf_token"


def current_agent(request: Request, settings: SettingsDep) -> ConsoleAgent:
    """The signed-in agent of this request (also kept on ``request.state`` for the page header).

    Raises:
        LoginRequiredError: No cookie, or its session expired or was revoked.
    """
    token = request.cookies.get(SESSION_COOKIE)
    agent = session_agent(settings, token) if token else None
    if agent is None:
        raise LoginRequiredError
    request.state.agent = agent
    return agent


CurrentAgent = Annotated[ConsoleAgent, Depends(current_agent)]


def admin_agent(agent: CurrentAgent) -> ConsoleAgent:
    """The signed-in agent if an admin; 403 for other agents."""
    if not agent.is_admin:
        raise HTTPException(status_code=403, detail="admins only")
    return agent


AdminAgent = Annotated[ConsoleAgent, Depends(admin_agent)]


async def check_csrf(request: Request, agent: CurrentAgent) -> None:
    """Refuse a state-changing console request without the session's CSRF token (403).

    Pages send it in the ``X-CSRF-Token`` header (fetch) or the ``csrf_token`` form field.
    A cross-site form cannot read the token, so it cannot forge either.
    """
    sent: object = request.headers.get(CSRF_HEADER)
    if sent is None and request.headers.get("content-type", "").startswith(
        ("application/x-www-form-urlencoded", "multipart/form-data")
    ):
        sent = (await request.form()).get(CSRF_FIELD)
    if not isinstance(sent, str) or not hmac.compare_digest(sent.encode(), agent.csrf_token.encode()):
        raise HTTPException(status_code=403, detail="missing or wrong CSRF token")


CsrfChecked = Depends(check_csrf)
