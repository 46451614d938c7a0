"""Client of the Rasa server's REST channel (one shared HTTP connection pool)."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

import httpx


class RasaUnavailableError(Exception):
    """Rasa did not answer in time or answered with an error."""


class RasaClient:
    """Sends a user message to Rasa and returns its replies.

    Args:
        base_url: Rasa server URL, e.g. http://127.0.0.1:5005.
        timeout: Seconds to wait for the whole reply.
    """

    def __init__(self, base_url: str, timeout: float) -> None:
        self.base_url = base_url.rstrip("/")
        self._client = httpx.AsyncClient(timeout=timeout)

    async def send(self, sender: str, message: str, metadata: dict[str, Any]) -> list[dict[str, Any]]:
        """POST to /webhooks/rest/webhook; raises RasaUnavailableError on timeout or error."""
        try:
            response = await self._client.post(
                f"{self.base_url}/webhooks/rest/webhook",
                json={"sender": sender, "message": message, "metadata": metadata},
            )
            response.raise_for_status()
        except httpx.HTTPError as exc:
            raise RasaUnavailableError(str(exc)) from exc
        replies: list[dict[str, Any]] = response.json()
        return replies

    async def set_slot(self, sender: str, name: str, value: Any) -> None:
        """Set a slot on the conversation's tracker (Rasa's HTTP API, ``--enable-api``).

        Raises:
            RasaUnavailableError: Rasa did not answer in time or refused the event.
        """
        try:
            response = await self._client.post(
                f"{self.base_url}/conversations/{quote(sender, safe='')}/tracker/events",
                json=[{"event": "slot", "name": name, "value": value}],
            )
            response.raise_for_status()
        except httpx.HTTPError as exc:
            raise RasaUnavailableError(str(exc)) from exc

    async def close(self) -> None:
        """Close the connection pool."""
        await self._client.aclose()
