"""Helpers of the attack tests: the served app, console sign-in as a browser does it."""

from __future__ import annotations

import re
from dataclasses import dataclass

import httpx

from conversation import agents
from conversation.records import AgentCreate
from settings import Settings

PASSWORD = "correct horse battery staple"
LOGIN_TOKEN = re.compile(r'name="csrf_token" value="([^"]+)"')


@dataclass(frozen=True)
class LiveApp:
    """A served app: its base URL and the settings it was built with."""

    url: str
    settings: Settings

    def client(self, address: str = "192.0.2.10") -> httpx.Client:
        """An HTTP client that the app sees as coming from ``address``."""
        return httpx.Client(base_url=self.url, headers={"X-Forwarded-For": address}, timeout=30)

    def add_agent(self, email: str, password: str = PASSWORD) -> None:
        """A console agent in the app's database."""
        agents.create_agent(
            self.settings,
            AgentCreate.model_validate(
                {"email": email, "name": "Els", "role": "agent", "password": password}
            ),
        )


def post_login(client: httpx.Client, email: str, password: str = PASSWORD) -> httpx.Response:
    """Open the login form (its CSRF cookie and token) and submit it as a browser would."""
    page = client.get("/console/login")
    match = LOGIN_TOKEN.search(page.text)
    assert match, page.text
    return client.post(
        "/console/login",
        data={"email": email, "password": password, "csrf_token": match.group(1)},
        follow_redirects=False,
    )
