"""Admin tools through HTTP: the opening schedule, saved replies, and password-reset links."""

from __future__ import annotations

import asyncio
import datetime as dt
import html
import re
from collections.abc import Callable

import pytest
from fastapi.testclient import TestClient
from rasa_sdk.executor import CollectingDispatcher

from actions.handoff import ActionHandoff
from conversation.opening_hours import Schedule, schedule
from conversation.saved_replies import create_saved_reply
from settings import Settings, get_settings
from tests.bot.console.factories import PASSWORD, make_agent, post_login
from tests.factories import make_tracker

pytestmark = pytest.mark.integration

NEW_PASSWORD = "a fresh password for Els"
WEEK = {
    f"{d}_{edge}": t
    for d in ("mon", "tue", "wed", "thu", "fri")
    for edge, t in (("opens", "08:30"), ("closes", "16:00"))
}


def _reset_link(page: str) -> str:
    match = re.search(r'value="(http://testserver/console/reset/[^"]+)"', page)
    assert match, page
    return html.unescape(match.group(1)).removeprefix("http://testserver")


def test_admin_saves_opening_schedule_and_page_tells_open_or_closed(
    admin_client: tuple[TestClient, str], settings_db: Settings
) -> None:
    client, csrf = admin_client
    form = {"csrf_token": csrf, **WEEK, "timezone": "Europe/Ljubljana", "holidays": "SI"}
    response = client.post("/console/admin/opening-schedule", data=form, follow_redirects=False)
    assert response.status_code == 303 and response.headers["location"] == "/console/admin?done=schedule"
    saved = schedule(settings_db)
    assert saved.timezone == "Europe/Ljubljana" and saved.holidays == "SI"
    assert saved.days[0] == (dt.time(8, 30), dt.time(16)) and saved.days[5] is None
    page = client.get("/console/admin?done=schedule", headers={"Accept-Language": "nl"}).text
    assert "Openingsschema bewaard." in page and 'value="08:30"' in page
    assert "De helpdesk is nu" in page  # the status in the console's language


@pytest.mark.parametrize(
    "change",
    [{"mon_closes": "08:00"}, {"timezone": "Mars/Olympus"}, {"tue_opens": "nine"}, {"holidays": "FR"}],
)
def test_admin_invalid_opening_schedule_is_400_and_not_saved(
    admin_client: tuple[TestClient, str], settings_db: Settings, change: dict[str, str]
) -> None:
    client, csrf = admin_client
    form = {"csrf_token": csrf, **WEEK, "timezone": "Europe/Brussels", **change}
    response = client.post("/console/admin/opening-schedule", data=form)
    assert response.status_code == 400 and "Please check the opening schedule" in response.text
    assert schedule(settings_db).days[0] == (dt.time(9), dt.time(17))  # still the default


def test_admin_schedule_reset_restores_free_text_hours(
    admin_client: tuple[TestClient, str], settings_db: Settings
) -> None:
    client, csrf = admin_client
    client.post(
        "/console/admin/opening-schedule", data={"csrf_token": csrf, **WEEK, "timezone": "Europe/Brussels"}
    )
    client.post("/console/admin/opening-schedule", data={"csrf_token": csrf, "reset": "1"})
    assert schedule(settings_db).days[0] == (dt.time(9), dt.time(17))


def test_handoff_action_tells_availability_in_the_teachers_language(
    admin_client: tuple[TestClient, str], settings_db: Settings
) -> None:
    client, csrf = admin_client
    never = {"csrf_token": csrf, "timezone": "Europe/Brussels"}  # no open day: closed now
    client.post("/console/admin/opening-schedule", data=never)
    get_settings.cache_clear()
    dispatcher = CollectingDispatcher()
    tracker = make_tracker("ik wil iemand spreken", "ask_human", {"language": "nl"}, sender_id="web-tools1")
    asyncio.run(ActionHandoff().run(dispatcher, tracker, {}))
    message = dispatcher.messages[0]
    assert message["response"] == "utter_handoff"
    assert message["availability"].startswith("De helpdesk is nu gesloten")


def test_admin_manages_saved_replies_and_agents_read_them_per_language(
    admin_client: tuple[TestClient, str], settings_db: Settings, make_client: Callable[[], TestClient]
) -> None:
    client, csrf = admin_client
    added = client.post(
        "/console/admin/saved-replies",
        data={
            "csrf_token": csrf,
            "language": "nl",
            "shortcut": "/hallo",
            "text": "Dag! Waarmee kan ik helpen?",
        },
        follow_redirects=False,
    )
    assert added.status_code == 303
    client.post(
        "/console/admin/saved-replies",
        data={"csrf_token": csrf, "language": "en", "shortcut": "hi", "text": "Hello!"},
    )
    refused = client.post(
        "/console/admin/saved-replies",
        data={"csrf_token": csrf, "language": "nl", "shortcut": "hallo", "text": "Again"},
    )
    assert refused.status_code == 400 and "Please check the saved reply" in refused.text
    assert "/hallo" in client.get("/console/admin").text

    make_agent(settings_db, "els@example.org")
    agent = make_client()
    post_login(agent, "els@example.org")
    replies = agent.get("/console/api/saved-replies", params={"language": "nl"}).json()
    assert replies == [
        {"id": replies[0]["id"], "language": "nl", "shortcut": "hallo", "text": "Dag! Waarmee kan ik helpen?"}
    ]
    assert len(agent.get("/console/api/saved-replies").json()) == 2

    deleted = client.post(
        f"/console/admin/saved-replies/{replies[0]['id']}/delete",
        data={"csrf_token": csrf},
        follow_redirects=False,
    )
    assert deleted.status_code == 303
    assert agent.get("/console/api/saved-replies", params={"language": "nl"}).json() == []
    assert (
        client.post("/console/admin/saved-replies/999/delete", data={"csrf_token": csrf}).status_code == 404
    )


def test_saved_replies_need_admin_to_change_and_session_to_read(
    agent_client: tuple[TestClient, str], app_client: TestClient, settings_db: Settings
) -> None:
    client, csrf = agent_client
    create_saved_reply(settings_db, "en", "hi", "Hello!", None)
    data = {"csrf_token": csrf, "language": "en", "shortcut": "bye", "text": "Bye"}
    assert client.post("/console/admin/saved-replies", data=data).status_code == 403
    assert app_client.get("/console/api/saved-replies").status_code == 401


def test_password_reset_link_works_once(
    admin_client: tuple[TestClient, str], settings_db: Settings, make_client: Callable[[], TestClient]
) -> None:
    client, csrf = admin_client
    els = make_agent(settings_db, "els@example.org", name="Els Peeters")
    agent = make_client()
    assert post_login(agent, "els@example.org").status_code == 303
    issued = client.post(f"/console/admin/users/{els.id}/reset-link", data={"csrf_token": csrf})
    assert issued.status_code == 200 and issued.headers["cache-control"] == "no-store"
    link = _reset_link(issued.text)

    visitor = make_client()
    form = visitor.get(link)
    assert form.status_code == 200 and "Els Peeters" in form.text
    assert form.headers["referrer-policy"] == "no-referrer"
    differ = visitor.post(link, data={"password": NEW_PASSWORD, "confirm": NEW_PASSWORD + "!"})
    assert differ.status_code == 400 and "The two passwords differ." in differ.text
    short = visitor.post(link, data={"password": "short", "confirm": "short"})
    assert short.status_code == 400
    done = visitor.post(link, data={"password": NEW_PASSWORD, "confirm": NEW_PASSWORD})
    assert done.status_code == 200 and "Your new password is set." in done.text

    assert agent.get("/console/queue", follow_redirects=False).status_code == 303  # session ended
    assert post_login(make_client(), "els@example.org", PASSWORD).status_code == 401
    assert post_login(make_client(), "els@example.org", NEW_PASSWORD).status_code == 303
    again = visitor.post(link, data={"password": "another long password", "confirm": "another long password"})
    assert again.status_code == 410 and "does not work any more" in again.text
    assert visitor.get(link).status_code == 410


def test_password_reset_link_needs_admin_and_known_user(
    admin_client: tuple[TestClient, str], agent_client: tuple[TestClient, str]
) -> None:
    admin, admin_csrf = admin_client
    agent, agent_csrf = agent_client
    assert (
        admin.post("/console/admin/users/999/reset-link", data={"csrf_token": admin_csrf}).status_code == 404
    )
    assert agent.post("/console/admin/users/1/reset-link", data={"csrf_token": agent_csrf}).status_code == 403
    assert admin.post("/console/admin/users/1/reset-link", data={}).status_code == 403  # no CSRF token


def test_password_reset_unknown_link_is_410(app_client: TestClient) -> None:
    response = app_client.get("/console/reset/not-a-real-token")
    assert response.status_code == 410
    assert (
        app_client.post(
            "/console/reset/x", data={"password": NEW_PASSWORD, "confirm": NEW_PASSWORD}
        ).status_code
        == 410
    )


def test_schedule_type_is_the_one_saved() -> None:
    assert Schedule.from_json(Schedule(days=(None,) * 7, timezone="UTC").to_json()).timezone == "UTC"
