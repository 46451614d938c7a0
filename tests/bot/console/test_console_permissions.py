"""Every console route needs a session; admin routes need the admin role (enumerated from the app)."""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator

import pytest
from fastapi import FastAPI
from fastapi.routing import APIRoute
from fastapi.testclient import TestClient

from settings import Settings
from tests.bot.console.factories import make_agent, sign_in, waiting_conversation

pytestmark = pytest.mark.integration

# The sign-in form itself, and the password-reset form (its link's token is the secret).
PUBLIC = {
    ("GET", "/console/login"),
    ("POST", "/console/login"),
    ("GET", "/console/reset/{token}"),
    ("POST", "/console/reset/{token}"),
}
ADMIN_PREFIX = "/console/admin"
CONVERSATION = "web-permissions1"
# Admin-only routes of the JSON API (outside ADMIN_PREFIX, so they answer 401, not a redirect).
ADMIN_API = {("POST", f"/console/api/conversations/{CONVERSATION}/erase")}


def _walk(routes: Iterable[object], prefix: str = "") -> Iterator[tuple[str, str]]:
    """(method, path) of every API route, through included routers (FastAPI nests them lazily)."""
    for route in routes:
        original = getattr(route, "original_router", None)
        if original is not None:
            context = getattr(route, "include_context", None)
            yield from _walk(original.routes, prefix + (getattr(context, "prefix", "") or ""))
        elif isinstance(route, APIRoute):
            for method in sorted(route.methods or ()):
                yield method, prefix + route.path


def console_routes(app: FastAPI) -> list[tuple[str, str]]:
    """Every (method, path) under /console, path parameters filled in."""
    found = sorted({(m, p) for m, p in _walk(app.routes) if p == "/console" or p.startswith("/console/")})
    return [(m, p.replace("{conversation_id}", CONVERSATION).replace("{agent_id}", "1")) for m, p in found]


@pytest.fixture
def routes(app_client: TestClient, settings_db: Settings) -> list[tuple[str, str]]:
    make_agent(settings_db, "first@example.org", role="admin")
    waiting_conversation(settings_db, CONVERSATION)
    found = console_routes(app_client.app)  # type: ignore[arg-type]
    assert len(found) >= 20, found  # the walk must see the console router
    return found


def _call(client: TestClient, method: str, path: str, csrf: str | None = None) -> int:
    headers = {"Accept": "application/json", **({"X-CSRF-Token": csrf} if csrf else {})}
    response = client.request(method, path, headers=headers, follow_redirects=False)
    if response.status_code == 303:
        assert re.match(r"^/console/login\?next=", response.headers["location"]), response.headers
    return response.status_code


def test_console_every_route_without_session_is_refused(
    app_client: TestClient, routes: list[tuple[str, str]]
) -> None:
    checked = []
    for method, path in routes:
        if (method, path) in PUBLIC:
            continue
        status = _call(app_client, method, path)
        expected = (401,) if path.startswith("/console/api/") else (303, 401, 403)
        assert status in expected, f"{method} {path} without a session gave {status}"
        checked.append(path)
    assert any(p.startswith(ADMIN_PREFIX) for p in checked)
    assert any(p.endswith("/events") for p in checked)


def test_console_every_admin_route_is_403_for_agents(
    agent_client: tuple[TestClient, str], routes: list[tuple[str, str]]
) -> None:
    client, csrf = agent_client
    admin = [(m, p) for m, p in routes if p.startswith(ADMIN_PREFIX) or (m, p) in ADMIN_API]
    assert len(admin) >= 5 and set(admin) >= ADMIN_API, admin
    for method, path in admin:
        assert _call(client, method, path, csrf) == 403, f"{method} {path} as agent"


def test_console_admin_page_is_open_to_admins(app_client: TestClient, settings_db: Settings) -> None:
    make_agent(settings_db, "boss@example.org", role="admin")
    sign_in(app_client, "boss@example.org")
    assert app_client.get("/console/admin").status_code == 200


def test_console_login_routes_are_the_only_public_ones(routes: list[tuple[str, str]]) -> None:
    assert set(routes) >= PUBLIC


def test_console_static_assets_are_public_but_outside_console(app_client: TestClient) -> None:
    response = app_client.get("/static/console/console.js")
    assert response.status_code == 200
    assert "javascript" in response.headers["content-type"]


def test_console_pages_send_strict_security_headers(agent_client: tuple[TestClient, str]) -> None:
    client, _ = agent_client
    headers = client.get("/console/queue").headers
    assert "style-src 'self';" in headers["content-security-policy"]
    assert "unsafe-inline" not in headers["content-security-policy"]
    assert headers["x-frame-options"] == "DENY"
    assert headers["cache-control"] == "no-store"
