"""Console sign-in and sign-out (password check, session cookie, login CSRF) and password reset.

The only console routes open without a session, so they stay in one small module that is easy
to review on its own. A password-reset link (issued by an admin, conversation.password_reset)
is itself the secret that lets its agent set a new password.
"""

from __future__ import annotations

import secrets
from typing import Annotated

from fastapi import APIRouter, Form, HTTPException, Path, Request, Response
from fastapi.responses import HTMLResponse, RedirectResponse

from bot.console import i18n
from bot.console.common import ConsoleRoute, remember_language, render_page, safe_next
from bot.deps import CSRF_FIELD, SESSION_COOKIE, CsrfChecked, CurrentAgent, SettingsDep
from conversation import agents, password_reset
from conversation.agents import SESSION_LIFETIME
from settings import Settings

LOGIN_CSRF_COOKIE = "nso_console_login"

router = APIRouter(route_class=ConsoleRoute)


def _login_form(
    request: Request,
    settings: Settings,
    next_url: str,
    *,
    error: bool = False,
    status_code: int = 200,
    lang: str | None = None,
) -> HTMLResponse:
    token = secrets.token_urlsafe(32)
    response = render_page(
        request, "login.html", status_code, csrf_token=token, next_url=next_url, error=error, lang=lang
    )
    response.set_cookie(
        LOGIN_CSRF_COOKIE,
        token,
        httponly=True,
        samesite="strict",
        secure=settings.environment == "production",
        path="/console/login",
        max_age=3600,
    )
    if lang:
        remember_language(response, lang, secure=settings.environment == "production")
    return response


@router.get("/login", response_class=HTMLResponse, include_in_schema=False)
def login_form(
    request: Request, settings: SettingsDep, next: str | None = None, lang: str | None = None
) -> Response:
    """The sign-in form (already signed in: straight to the queue).

    ``lang`` is the form's own language picker: the form comes back in that language, which is
    remembered for the console.
    """
    token = request.cookies.get(SESSION_COOKIE)
    if token and agents.session_agent(settings, token):
        return RedirectResponse(safe_next(next), status_code=303)
    return _login_form(request, settings, safe_next(next), lang=lang if lang in i18n.LANGUAGES else None)


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
    agent = agents.authenticate(settings, email, password, request.client.host if request.client else None)
    if agent is None:
        return _login_form(request, settings, safe_next(next_url), error=True, status_code=401)
    old = request.cookies.get(SESSION_COOKIE)
    if old:
        agents.close_session(settings, old)
    response = RedirectResponse(safe_next(next_url), status_code=303)
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


def _reset_page(request: Request, token: str, status_code: int = 200, **context: object) -> HTMLResponse:
    response = render_page(request, "reset.html", status_code, token=token, **context)
    response.headers["Referrer-Policy"] = "no-referrer"  # the token is in the URL: never pass it on
    response.headers["Cache-Control"] = "no-store"
    return response


@router.get("/reset/{token}", response_class=HTMLResponse, include_in_schema=False)
def reset_form(
    request: Request, settings: SettingsDep, token: Annotated[str, Path(max_length=64)]
) -> Response:
    """The form behind an admin-issued password-reset link (410 once used, expired or unknown)."""
    try:
        name = password_reset.reset_agent(settings, token)
    except password_reset.ResetLinkError:
        return _reset_page(request, "", 410, invalid=True)
    return _reset_page(request, token, agent_name=name)


@router.post("/reset/{token}", response_class=HTMLResponse, include_in_schema=False)
def reset(
    request: Request,
    settings: SettingsDep,
    token: Annotated[str, Path(max_length=64)],
    *,
    password: Annotated[str, Form(max_length=256)],
    confirm: Annotated[str, Form(max_length=256)],
) -> Response:
    """Set the new password, once: the link is then used up and the agent's sessions end.

    The link's token is the secret that authorises the change, so the form needs no session.
    """
    if not secrets.compare_digest(password.encode(), confirm.encode()):
        return _reset_page(request, token, 400, error="mismatch", agent_name=_name_or_none(settings, token))
    try:
        password_reset.reset_password(settings, token, password)
    except password_reset.WeakPasswordError:
        return _reset_page(request, token, 400, error="weak", agent_name=_name_or_none(settings, token))
    except password_reset.ResetLinkError:
        return _reset_page(request, "", 410, invalid=True)
    return _reset_page(request, "", done=True)


def _name_or_none(settings: Settings, token: str) -> str | None:
    try:
        return password_reset.reset_agent(settings, token)
    except password_reset.ResetLinkError:
        return None
