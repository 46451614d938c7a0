"""Local stand-ins for the Telegram Bot API and (for unit tests only) Rasa, on 127.0.0.1.

Both record every call; the Bot API fake also serves queued updates to getUpdates.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any, Protocol, TypeVar

import uvicorn
from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse

from bench.stack import free_port

TOKEN = "123456789:AAH-fake_token_for_tests_0123456789ab"
SECRET = "s3cret-webhook_token"
JSON_FIELDS = ("reply_markup", "allowed_updates", "commands")  # PTB sends these JSON-encoded inside the form


@dataclass
class Call:
    """One Bot API call: method name and parameters (JSON fields decoded)."""

    method: str
    params: dict[str, Any]


@dataclass
class FakeBotApi:
    """A Bot API server for one token: records calls, serves ``updates`` to getUpdates."""

    token: str = TOKEN
    calls: list[Call] = field(default_factory=list)
    updates: list[dict[str, Any]] = field(default_factory=list)
    url: str = ""
    _lock: threading.Lock = field(default_factory=threading.Lock)
    _message_id: int = 0

    @property
    def base_url(self) -> str:
        """What NSO_TELEGRAM_API_URL is set to (PTB appends the token)."""
        return f"{self.url}/bot"

    def reset(self) -> None:
        with self._lock:
            self.calls.clear()
            self.updates.clear()

    def called(self, method: str) -> list[dict[str, Any]]:
        with self._lock:
            return [c.params for c in self.calls if c.method == method]

    def wait_for(
        self, method: str, predicate: Callable[[dict[str, Any]], bool], seconds: float
    ) -> dict[str, Any]:
        """The first recorded ``method`` call matching ``predicate``, waiting up to ``seconds``."""
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            for params in self.called(method):
                if predicate(params):
                    return params
            time.sleep(0.2)
        raise AssertionError(f"no matching {method} within {seconds} s; calls: {self.calls}")

    def app(self) -> FastAPI:
        app = FastAPI()

        @app.post("/bot{token}/{method}")
        async def method(token: str, method: str, request: Request) -> JSONResponse:
            if token != self.token:
                return JSONResponse({"ok": False, "error_code": 401, "description": "Unauthorized"}, 401)
            params = await _params(request)
            with self._lock:
                self.calls.append(Call(method, params))
            result = self._result(method, params)
            if result is None:
                return JSONResponse({"ok": False, "error_code": 404, "description": "Not Found"}, 404)
            return JSONResponse({"ok": True, "result": result})

        return app

    def _result(self, method: str, params: dict[str, Any]) -> Any:
        if method == "getMe":
            return {"id": 4242, "is_bot": True, "first_name": "NSO helpdesk", "username": "nso_test_bot"}
        if method == "sendMessage":
            with self._lock:
                self._message_id += 1
                message_id = self._message_id
            return {
                "message_id": message_id,
                "date": int(time.time()),
                "chat": {"id": int(params["chat_id"]), "type": "private"},
                "text": params["text"],
            }
        if method in ("answerCallbackQuery", "setWebhook", "deleteWebhook", "setMyCommands"):
            return True
        if method == "getUpdates":
            offset = int(params.get("offset") or 0)
            with self._lock:
                self.updates[:] = [u for u in self.updates if u["update_id"] >= offset]
                return list(self.updates)
        return None


async def _params(request: Request) -> dict[str, Any]:
    if request.headers.get("content-type", "").startswith("application/json"):
        body: dict[str, Any] = await request.json()
        return body
    form = await request.form()
    params: dict[str, Any] = {key: str(value) for key, value in form.items()}
    for key in JSON_FIELDS:
        if key in params:
            params[key] = json.loads(params[key])
    return params


@dataclass
class FakeRasa:
    """Rasa's REST channel: records each message, answers from ``replies`` or echoes it; its HTTP
    API records the slots the turn sets and parses every text as ``ask_faq``."""

    received: list[dict[str, Any]] = field(default_factory=list)
    replies: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    slots: list[tuple[str, str, Any]] = field(default_factory=list)
    url: str = ""

    def reset(self) -> None:
        self.received.clear()
        self.replies.clear()
        self.slots.clear()

    def app(self) -> FastAPI:
        app = FastAPI()

        @app.post("/webhooks/rest/webhook")
        async def webhook(request: Request) -> list[dict[str, Any]]:
            body: dict[str, Any] = await request.json()
            self.received.append(body)
            canned = self.replies.get(body["message"])
            if canned is None:
                canned = [{"text": f"echo: {body['message']}"}]
            return [{"recipient_id": body["sender"], **reply} for reply in canned]

        @app.post("/conversations/{sender}/tracker/events")
        async def events(sender: str, request: Request) -> dict[str, Any]:
            self.slots += [(sender, e["name"], e["value"]) for e in await request.json()]
            return {"sender_id": sender}

        @app.post("/model/parse")
        async def parse(request: Request) -> dict[str, Any]:
            return {"text": (await request.json())["text"], "intent": {"name": "ask_faq"}}

        return app


@contextmanager
def serve(app: FastAPI) -> Iterator[str]:
    """Run ``app`` with uvicorn in a thread on a free loopback port; yields its base URL."""
    port = free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("fake server did not start")
        time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(10)


class Fake(Protocol):
    """A fake service: its FastAPI app, and the URL it is served at once running."""

    url: str

    def app(self) -> FastAPI: ...


FakeT = TypeVar("FakeT", bound=Fake)


@contextmanager
def serving(fake: FakeT) -> Iterator[FakeT]:
    """Serve ``fake``'s app (see :func:`serve`) and set its ``url``."""
    with serve(fake.app()) as url:
        fake.url = url
        yield fake
