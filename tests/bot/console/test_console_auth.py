"""Sign-in: argon2 passwords, one generic error, a wait after failures (no lockout), session cookie
flags, CSRF, logout."""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Callable

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from conversation import agents
from conversation.agents import MAX_FAILED_LOGINS, set_active
from conversation.db import session_scope
from conversation.models import Agent
from settings import Settings
from tests.bot.console.factories import (
    PASSWORD,
    login_token,
    make_agent,
    post_login,
    sign_in,
    waiting_conversation,
)

pytestmark = pytest.mark.integration


def test_agents_password_is_stored_as_argon2_hash(settings_db: Settings) -> None:
    make_agent(settings_db, "hash@example.org")
    with session_scope(settings_db.database_url) as session:
        stored = session.scalars(select(Agent.password_hash)).one()
    assert stored.startswith("$argon2id$") and PASSWORD not in stored


def test_console_login_sets_httponly_samesite_cookie(app_client: TestClient, settings_db: Settings) -> None:
    make_agent(settings_db, "els@example.org")
    response = post_login(app_client, "els@example.org")
    assert response.status_code == 303 and response.headers["location"] == "/console/queue"
    cookie = next(c for c in response.headers.get_list("set-cookie") if c.startswith("nso_console="))
    assert "HttpOnly" in cookie and "SameSite=lax" in cookie and "Path=/console" in cookie
    assert "Secure" not in cookie  # local environment: plain http on localhost works


def test_console_login_cookie_is_secure_in_production(
    configure: Callable[..., Settings], make_client: Callable[..., TestClient]
) -> None:
    settings = configure(environment="production", secret_key="a-real-secret-for-this-test")
    make_agent(settings, "els@example.org")
    client = make_client("https://testserver")  # Secure cookies only travel over https
    response = post_login(client, "els@example.org")
    cookie = next(c for c in response.headers.get_list("set-cookie") if c.startswith("nso_console="))
    assert "Secure" in cookie


def test_console_login_wrong_password_and_unknown_email_look_the_same(
    app_client: TestClient, settings_db: Settings
) -> None:
    make_agent(settings_db, "els@example.org")
    wrong = post_login(app_client, "els@example.org", "not the password")
    unknown = post_login(app_client, "nobody@example.org", "not the password")
    assert wrong.status_code == unknown.status_code == 401
    assert "Sign-in failed" in wrong.text and "Sign-in failed" in unknown.text
    assert "nobody@example.org" not in unknown.text


def test_console_login_after_five_failures_waits_without_locking_the_account(
    app_client: TestClient, settings_db: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The wait belongs to the (account, address) pair: other addresses are tested in tests/security."""
    monkeypatch.setattr(agents, "FIRST_DELAY", dt.timedelta(seconds=0.5))
    make_agent(settings_db, "els@example.org")
    for _ in range(MAX_FAILED_LOGINS):
        assert post_login(app_client, "els@example.org", "guess").status_code == 401
    waiting = post_login(app_client, "els@example.org")  # the right password, but too soon
    assert waiting.status_code == 429 and waiting.headers["Retry-After"] == "1"
    with session_scope(settings_db.database_url) as session:
        agent = session.scalars(select(Agent)).one()
        assert agent.locked_until is None and agent.failed_logins == MAX_FAILED_LOGINS
    time.sleep(0.6)
    assert post_login(app_client, "els@example.org").status_code == 303


def test_console_login_success_resets_failure_count(app_client: TestClient, settings_db: Settings) -> None:
    make_agent(settings_db, "els@example.org")
    for _ in range(MAX_FAILED_LOGINS - 1):
        post_login(app_client, "els@example.org", "guess")
    assert post_login(app_client, "els@example.org").status_code == 303
    with session_scope(settings_db.database_url) as session:
        assert session.scalars(select(Agent.failed_logins)).one() == 0


def test_console_login_without_form_token_is_403(app_client: TestClient, settings_db: Settings) -> None:
    make_agent(settings_db, "els@example.org")
    login_token(app_client)
    response = app_client.post(
        "/console/login", data={"email": "els@example.org", "password": PASSWORD, "csrf_token": "forged"}
    )
    assert response.status_code == 403


def test_console_login_next_only_goes_to_console_pages(app_client: TestClient, settings_db: Settings) -> None:
    make_agent(settings_db, "els@example.org")
    token = login_token(app_client)
    response = app_client.post(
        "/console/login",
        data={
            "email": "els@example.org",
            "password": PASSWORD,
            "csrf_token": token,
            "next": "//evil.example",
        },
        follow_redirects=False,
    )
    assert response.headers["location"] == "/console/queue"


def test_console_logout_revokes_the_session(agent_client: tuple[TestClient, str]) -> None:
    client, csrf = agent_client
    cookie = client.cookies.get("nso_console")
    assert (
        client.post("/console/logout", data={"csrf_token": csrf}, follow_redirects=False).status_code == 303
    )
    client.cookies.set("nso_console", cookie or "", path="/console")  # replaying the old cookie
    assert client.get("/console/api/queue").status_code == 401


def test_console_disabled_agent_loses_session_at_once(
    agent_client: tuple[TestClient, str], settings_db: Settings
) -> None:
    client, _ = agent_client
    assert client.get("/console/api/queue").status_code == 200
    set_active(settings_db, active=False, email="els@example.org")
    assert client.get("/console/api/queue").status_code == 401
    assert post_login(client, "els@example.org").status_code == 401


# --- CSRF ------------------------------------------------------------------------------------------


@pytest.mark.parametrize("token", [None, "wrong-token"])
def test_console_api_post_without_right_csrf_token_is_403(
    agent_client: tuple[TestClient, str], settings_db: Settings, token: str | None
) -> None:
    client, _ = agent_client
    conv = waiting_conversation(settings_db, "web-csrfcheck1")
    headers = {"X-CSRF-Token": token} if token else {}
    for action in ("take", "handback", "close"):
        assert client.post(f"/console/api/conversations/{conv}/{action}", headers=headers).status_code == 403
    for kind in ("messages", "notes"):
        response = client.post(
            f"/console/api/conversations/{conv}/{kind}", json={"text": "hi"}, headers=headers
        )
        assert response.status_code == 403


def test_console_api_post_with_csrf_token_passes(
    agent_client: tuple[TestClient, str], settings_db: Settings
) -> None:
    client, csrf = agent_client
    conv = waiting_conversation(settings_db, "web-csrfcheck2")
    assert (
        client.post(f"/console/api/conversations/{conv}/take", headers={"X-CSRF-Token": csrf}).status_code
        == 200
    )


@pytest.mark.parametrize("token", [None, "wrong-token"])
def test_console_forms_without_right_csrf_token_are_403(
    admin_client: tuple[TestClient, str], token: str | None
) -> None:
    client, _ = admin_client
    extra = {"csrf_token": token} if token else {}
    forms = {
        "/console/admin/users": {"email": "x@example.org", "name": "X", "password": PASSWORD},
        "/console/admin/opening-hours": {"hours": "Mon 9-12"},
        "/console/admin/users/1/disable": {},
        "/console/logout": {},
    }
    for path, data in forms.items():
        assert client.post(path, data={**data, **extra}, follow_redirects=False).status_code == 403, path


def test_console_session_csrf_token_differs_per_session(
    settings_db: Settings, make_client: Callable[[], TestClient]
) -> None:
    make_agent(settings_db, "els@example.org")
    assert sign_in(make_client(), "els@example.org") != sign_in(make_client(), "els@example.org")
