"""Finding 8: no body can be too big for a worker, and no number of slow requests can hang it.

Every route refuses a body over ``NSO_MAX_BODY_BYTES`` with 413 (declared or streamed); beyond
``NSO_MAX_CONCURRENT_REQUESTS`` in flight a worker answers 503 + Retry-After at once. The console's
event streams are counted apart (``NSO_MAX_EVENT_STREAMS``), so open streams never use up the cap.
"""

from __future__ import annotations

import json
import socket
import time
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from urllib.parse import urlsplit

import httpx
import pytest

from tests.security.factories import LiveApp, post_login

pytestmark = pytest.mark.integration


def _chunks(total: int, size: int = 1024) -> Iterator[bytes]:
    yield b'{"text": "'
    for _ in range(total // size):
        yield b"a" * size
    yield b'"}'


@pytest.mark.parametrize("path", ["/api/ask", "/api/chat/messages", "/console/login", "/channels/telegram"])
def test_body_over_limit_with_content_length_is_413_json(serve: Callable[..., LiveApp], path: str) -> None:
    app = serve()
    body = json.dumps({"text": "a" * 70_000}).encode()
    with app.client() as client:
        response = client.post(path, content=body, headers={"Content-Type": "application/json"})
    assert response.status_code == 413
    assert "at most 65536 bytes" in response.json()["detail"]


def test_streamed_body_over_limit_is_413(serve: Callable[..., LiveApp]) -> None:
    app = serve(max_body_bytes="4096")
    with app.client() as client:
        response = client.post(
            "/api/ask", content=_chunks(64 * 1024), headers={"Content-Type": "application/json"}
        )
    assert "content-length" not in response.request.headers  # sent chunked: no size declared
    assert response.status_code == 413 and "at most 4096 bytes" in response.json()["detail"]


def test_body_under_limit_still_reaches_the_route(serve: Callable[..., LiveApp]) -> None:
    app = serve(max_body_bytes="4096")
    with app.client() as client:
        response = client.post(
            "/api/ask", content=_chunks(2048), headers={"Content-Type": "application/json"}
        )
    assert response.status_code == 422  # the route's own check: text longer than 2000 characters


def test_action_endpoint_has_its_own_larger_limit(serve: Callable[..., LiveApp]) -> None:
    app = serve(max_body_bytes="4096", max_action_body_bytes="65536")
    with app.client() as client:
        tracker = {"next_action": "action_nothing", "tracker": {"events": [{"text": "a" * 10_000}]}}
        assert client.post("/webhook", json=tracker).status_code != 413
        assert client.post("/webhook", content=b"x" * 70_000).status_code == 413


@contextmanager
def stalled_requests(url: str, count: int) -> Iterator[None]:
    """``count`` requests whose body never finishes arriving (a slow-loris client)."""
    parts = urlsplit(url)
    with ExitStack() as stack:
        for _ in range(count):
            sock = stack.enter_context(socket.create_connection((parts.hostname, parts.port)))
            sock.sendall(
                b"POST /api/ask HTTP/1.1\r\nHost: test\r\nContent-Type: application/json\r\n"
                b'Content-Length: 100\r\n\r\n{"text": '
            )
        time.sleep(0.5)  # the app has them all in flight, waiting for their bodies
        yield


def test_requests_beyond_the_cap_get_503_at_once_not_a_hang(serve: Callable[..., LiveApp]) -> None:
    app = serve(max_concurrent_requests="3")
    with app.client() as client:
        with stalled_requests(app.url, 3):
            started = time.monotonic()
            busy = client.get("/api/rules")
            assert time.monotonic() - started < 1.0
            assert busy.status_code == 503 and busy.headers["Retry-After"] == "1"
            assert busy.json()["detail"] == "the service is busy; please retry"
            assert client.get("/health").status_code == 200  # the balancer still sees it alive
        deadline = time.monotonic() + 10  # the stalled clients are gone: capacity comes back
        while (status := client.get("/api/rules").status_code) == 503 and time.monotonic() < deadline:
            time.sleep(0.1)
        assert status == 200


def test_open_event_streams_do_not_count_against_the_request_cap(serve: Callable[..., LiveApp]) -> None:
    app = serve(max_concurrent_requests="2", max_event_streams="2")
    app.add_agent("els@example.org")
    with app.client() as agent:
        assert post_login(agent, "els@example.org").status_code == 303
        with ExitStack() as streams:
            for _ in range(2):
                stream = streams.enter_context(agent.stream("GET", "/console/api/queue/events"))
                assert stream.status_code == 200
            assert [agent.get("/api/rules").status_code for _ in range(3)] == [200, 200, 200]
            third = agent.get("/console/api/queue/events", timeout=httpx.Timeout(5.0))
            assert third.status_code == 503 and third.headers["Retry-After"] == "1"
