"""Admin page: users and opening hours; the opening hours reach the handoff replies."""

from __future__ import annotations

import asyncio
from collections.abc import Callable

import pytest
from fastapi.testclient import TestClient
from rasa_sdk.executor import CollectingDispatcher

from actions.handoff import ActionHandoff
from bot.__main__ import main as cli
from conversation.agents import list_agents
from conversation.opening_hours import opening_hours
from conversation.texts import system_text
from settings import Settings, get_settings
from tests.bot.console.factories import PASSWORD, make_agent, post_login
from tests.factories import make_tracker

pytestmark = pytest.mark.integration


def test_admin_creates_agent_who_can_sign_in(
    admin_client: tuple[TestClient, str], settings_db: Settings, make_client: Callable[[], TestClient]
) -> None:
    client, csrf = admin_client
    response = client.post(
        "/console/admin/users",
        data={
            "csrf_token": csrf,
            "email": "New@Example.org",
            "name": "Nina New",
            "role": "agent",
            "password": PASSWORD,
        },
        follow_redirects=False,
    )
    assert response.status_code == 303 and response.headers["location"] == "/console/admin?done=created"
    assert post_login(make_client(), "new@example.org").status_code == 303


def test_admin_create_user_refuses_short_password_and_duplicates(
    admin_client: tuple[TestClient, str], settings_db: Settings
) -> None:
    client, csrf = admin_client
    form = {"csrf_token": csrf, "email": "x@example.org", "name": "X", "role": "agent"}
    short = client.post("/console/admin/users", data={**form, "password": "short"})
    assert short.status_code == 400 and "password" in short.text
    assert (
        client.post(
            "/console/admin/users", data={**form, "password": PASSWORD}, follow_redirects=False
        ).status_code
        == 303
    )
    duplicate = client.post("/console/admin/users", data={**form, "password": PASSWORD})
    assert duplicate.status_code == 409 and "already exists" in duplicate.text
    bad_role = client.post(
        "/console/admin/users", data={**form, "email": "y@example.org", "role": "root", "password": PASSWORD}
    )
    assert bad_role.status_code == 400


def test_admin_disables_and_enables_agent(
    admin_client: tuple[TestClient, str], settings_db: Settings, make_client: Callable[[], TestClient]
) -> None:
    client, csrf = admin_client
    els = make_agent(settings_db, "els@example.org")
    client.post(f"/console/admin/users/{els.id}/disable", data={"csrf_token": csrf})
    assert post_login(make_client(), "els@example.org").status_code == 401
    client.post(f"/console/admin/users/{els.id}/enable", data={"csrf_token": csrf})
    assert post_login(make_client(), "els@example.org").status_code == 303


def test_admin_disable_unknown_user_is_404(admin_client: tuple[TestClient, str]) -> None:
    client, csrf = admin_client
    assert client.post("/console/admin/users/999/disable", data={"csrf_token": csrf}).status_code == 404


def test_admin_cannot_disable_self(admin_client: tuple[TestClient, str], settings_db: Settings) -> None:
    client, csrf = admin_client
    me = next(a for a in list_agents(settings_db) if a.email == "ada@example.org")
    response = client.post(
        f"/console/admin/users/{me.id}/disable", data={"csrf_token": csrf}, follow_redirects=False
    )
    assert response.headers["location"] == "/console/admin?done=self"
    assert all(a.active for a in list_agents(settings_db))


def test_admin_opening_hours_reach_the_handoff_messages(
    admin_client: tuple[TestClient, str], settings_db: Settings
) -> None:
    client, csrf = admin_client
    assert opening_hours(settings_db) == "Mon–Fri 09:00–17:00"  # the default schedule
    client.post(
        "/console/admin/opening-hours", data={"csrf_token": csrf, "hours": "  Mon-Thu 10:00-16:00 CET "}
    )
    assert opening_hours(settings_db) == "Mon-Thu 10:00-16:00 CET"
    assert "Mon-Thu 10:00-16:00 CET" in system_text("with_agent", "nl", settings_db)
    assert "Mon-Thu 10:00-16:00 CET" in client.get("/console/admin").text
    client.post("/console/admin/opening-hours", data={"csrf_token": csrf, "hours": ""})
    assert opening_hours(settings_db) == "Mon–Fri 09:00–17:00"  # the default schedule


def test_handoff_action_quotes_db_opening_hours(
    admin_client: tuple[TestClient, str], settings_db: Settings
) -> None:
    client, csrf = admin_client
    client.post("/console/admin/opening-hours", data={"csrf_token": csrf, "hours": "Tue 9-11"})
    dispatcher = CollectingDispatcher()
    asyncio.run(ActionHandoff().run(dispatcher, make_tracker("a person please", intent="ask_human"), {}))
    assert (
        dispatcher.messages[0]["response"] == "utter_handoff"
        and dispatcher.messages[0]["hours"] == "Tue 9-11"
    )


# --- CLI -----------------------------------------------------------------------------------------


def test_users_cli_add_list_disable(
    settings_db: Settings, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    assert (
        cli(
            [
                "users",
                "add",
                "Root@Example.org",
                "--name",
                "Root Admin",
                "--role",
                "admin",
                "--password",
                PASSWORD,
            ]
        )
        == 0
    )
    monkeypatch.setenv("NSO_NEW_USER_PASSWORD", "another long password")
    get_settings.cache_clear()
    assert cli(["users", "add", "els@example.org", "--name", "Els"]) == 0
    assert cli(["users", "add", "els@example.org", "--name", "Els again"]) == 1
    assert cli(["users", "disable", "els@example.org"]) == 0
    assert cli(["users", "disable", "nobody@example.org"]) == 1
    capsys.readouterr()
    assert cli(["users", "list"]) == 0
    listing = capsys.readouterr().out
    assert "root@example.org" in listing and "admin" in listing and "disabled" in listing
    assert [(a.email, a.role, a.active) for a in list_agents(get_settings())] == [
        ("root@example.org", "admin", True),
        ("els@example.org", "agent", False),
    ]


def test_users_cli_short_password_is_refused(
    settings_db: Settings, capsys: pytest.CaptureFixture[str]
) -> None:
    assert cli(["users", "add", "a@example.org", "--name", "A", "--password", "short"]) == 1
    assert "password" in capsys.readouterr().err
