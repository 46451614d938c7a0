"""Client of the Rasa server's REST channel (one shared HTTP connection pool)."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

import httpx

from conversation.metrics import RasaTransport


class RasaUnavailableError(Exception):
    """Rasa did not answer in time or answered with an error."""


class RasaClient:
    """Sends a user message to Rasa and returns its replies.

    Args:
        base_url: Rasa server URL, e.g. http://127.0.0.1:5005.
        timeout: Seconds to wait for the whole reply.
        token: Rasa's ``--auth-token`` (sent as ``?token=``), empty when Rasa runs without one.
    """

    def __init__(self, base_url: str, timeout: float, token: str = "") -> None:
        self.base_url = base_url.rstrip("/")
        # Rasa's HTTP API (tracker events, parse) needs --auth-token; the REST channel ignores it.
        params = {"token": token} if token else None
        # The transport times each call and records whether Rasa answered (conversation.metrics).
        self._client = httpx.AsyncClient(timeout=timeout, params=params, transport=RasaTransport())

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

    async def set_slot(self, sender: str, name: str, value: Any, *, maybe_new: bool = False) -> None:
        """Set a slot on the conversation's tracker (Rasa's HTTP API, ``--enable-api``).

        Args:
            sender: The conversation id.
            name: The slot.
            value: Its new value.
            maybe_new: Rasa may not know the conversation yet. It then starts the conversation's
                session in the same request, stamped after the event (which is stamped when the
                request is read), and its SQL tracker store keeps only the events from the latest
                session start on, by time: the event would be lost. So it is sent a second time.

        Raises:
            RasaUnavailableError: Rasa did not answer in time or refused the event.
        """
        for _ in range(2 if maybe_new else 1):
            try:
                response = await self._client.post(
                    f"{self.base_url}/conversations/{quote(sender, safe='')}/tracker/events",
                    params={"include_events": "NONE"},  # the reply is the tracker: leave its events out
                    json=[{"event": "slot", "name": name, "value": value}],
                )
                response.raise_for_status()
            except httpx.HTTPError as exc:
                raise RasaUnavailableError(str(exc)) from exc

    async def intent(self, text: str) -> str | None:
        """The intent Rasa's NLU gives ``text`` (``POST /model/parse``; no tracker changes).

        Raises:
            RasaUnavailableError: Rasa did not answer in time or answered with an error.
        """
        try:
            response = await self._client.post(f"{self.base_url}/model/parse", json={"text": text})
            response.raise_for_status()
        except httpx.HTTPError as exc:
            raise RasaUnavailableError(str(exc)) from exc
        name = (response.json().get("intent") or {}).get("name")
        return str(name) if name else None

    async def close(self) -> None:
        """Close the connection pool."""
        await self._client.aclose()
