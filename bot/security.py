"""HTTP hardening: security headers, CORS for configured NSO sites, per-client rate limits,
throttled console sign-in, a request body limit, a cap on concurrent requests, and 503 (not 500)
when the database is unavailable.

The body limit and the concurrency cap are pure ASGI middleware: they never buffer a body or a
response, so the console's event streams (SSE) pass through untouched.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Awaitable, Callable, Mapping

from fastapi import FastAPI, HTTPException, Request, Response
from fastapi.middleware.cors import CORSMiddleware
from sqlalchemy.exc import OperationalError
from starlette.datastructures import Headers
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from bot.errors import ProblemResponse, problem, problem_body
from bot.ratelimit import limiter_for
from settings import Settings

log = logging.getLogger(__name__)
# Swagger UI / ReDoc load their own inline scripts; everything else gets the strict policy.
DOCS_PATHS = ("/docs", "/redoc", "/openapi.json")
CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; "
    "connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'"
)
# Public endpoints that cost work per call; the action webhook (Rasa on loopback) and the
# Telegram webhook (secret-checked, Telegram's own rate) are not limited here.
LIMITED_PREFIXES = ("/api/",)
LOGIN_PATH = "/console/login"
# Rasa's calls to the action endpoint carry the whole tracker (and sometimes the domain).
ACTION_PATH = "/webhook"
# Long-lived console streams (/console/api/queue/events, /console/api/conversations/<id>/events)
# are counted apart: held open for minutes, they would otherwise fill the request cap.
EVENT_STREAM_PREFIX, EVENT_STREAM_SUFFIX = "/console/api/", "/events"
# The load balancer's probe must see a busy worker as alive, not take it out of service.
UNCAPPED_PATHS = frozenset({"/health"})
BUSY_WARNING_SECONDS = 10.0


def install(app: FastAPI, settings: Settings) -> None:
    """Add the middlewares and the database-unavailable handler to ``app``."""
    limiter = limiter_for(settings)
    login_per_address = limiter_for(
        settings,
        settings.login_attempts_per_minute,
        burst=settings.login_attempts_per_minute,
        name="login",
    )
    login_everyone = limiter_for(
        settings,
        settings.login_attempts_global_per_minute,
        burst=settings.login_attempts_global_per_minute / 4,
        name="login-all",
    )

    # Added first, so they run inside the rate limits below (a throttled request costs nothing).
    app.add_middleware(
        BodyLimit, default=settings.max_body_bytes, overrides={ACTION_PATH: settings.max_action_body_bytes}
    )
    app.add_middleware(
        ConcurrencyCap, max_requests=settings.max_concurrent_requests, max_streams=settings.max_event_streams
    )

    @app.middleware("http")
    async def _harden(request: Request, call_next: Callable[[Request], Awaitable[Response]]) -> Response:
        path = request.url.path
        client = request.client.host if request.client else "unknown"
        if path.startswith(LIMITED_PREFIXES):
            wait = await limiter.retry_after(client)
            if wait:
                return _too_many("too many requests; slow down", wait)
        elif path == LOGIN_PATH and request.method == "POST":
            # Per address first: one address's flood must not use up everyone's allowance.
            if wait := await login_per_address.retry_after(client):
                return _too_many("too many sign-in attempts from this address; try again later", wait)
            if wait := await login_everyone.retry_after("all"):
                return _too_many("too many sign-in attempts right now; try again shortly", wait)
        response = await call_next(request)
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("Referrer-Policy", "strict-origin-when-cross-origin")
        if not path.startswith(DOCS_PATHS):
            response.headers.setdefault("Content-Security-Policy", CSP)
            response.headers.setdefault("X-Frame-Options", "DENY")
        if settings.environment == "production":
            response.headers.setdefault("Strict-Transport-Security", "max-age=31536000")
        return response

    app.add_middleware(
        CORSMiddleware,
        allow_origins=list(settings.cors_origins),
        allow_methods=["GET", "POST"],
        allow_headers=["Content-Type", "X-Conversation-Token"],
        expose_headers=["Retry-After"],  # the widget on the NSO's site waits as long as asked
    )

    async def _database_unavailable(_: Request, exc: Exception) -> ProblemResponse:
        log.error("database unavailable: %s", type(exc).__name__)
        return problem(
            503,
            "the service is temporarily unavailable; please retry",
            kind="unavailable",
            headers={"Retry-After": "5"},
        )

    app.add_exception_handler(OperationalError, _database_unavailable)


def _too_many(detail: str, wait: int) -> ProblemResponse:
    return problem(429, detail, kind="rate-limited", headers={"Retry-After": str(wait)})


async def _refuse(
    send: Send, status: int, detail: str, kind: str, headers: Mapping[str, str] | None = None
) -> None:
    """Answer with a problem document straight from an ASGI middleware."""
    body = ProblemResponse(
        problem_body(status, detail, kind=kind), status_code=status, headers=dict(headers or {})
    )
    await send({"type": "http.response.start", "status": status, "headers": body.raw_headers})
    await send({"type": "http.response.body", "body": body.body})


class BodyTooLargeError(HTTPException):
    """The request body grew past the limit while it was being read.

    Raised from ``receive``, inside the route that reads the body; an ``HTTPException``, so FastAPI
    passes it on instead of calling it a parse error, and its handler answers 413 JSON.
    """

    problem_type = "body-too-large"

    def __init__(self, limit: int) -> None:
        super().__init__(status_code=413, detail=f"request body too large: at most {limit} bytes")


class BodyLimit:
    """Refuse request bodies over the limit with 413, whether declared or streamed.

    A ``Content-Length`` over the limit is refused before the app runs; a chunked or lying body
    is counted as it is received and cut off at the first byte over the limit.
    """

    def __init__(self, app: ASGIApp, default: int, overrides: Mapping[str, int]) -> None:
        """Wrap ``app``.

        Args:
            app: The next ASGI app.
            default: Largest body in bytes (``NSO_MAX_BODY_BYTES``).
            overrides: Other limits for exact paths (the action endpoint).
        """
        self.app = app
        self.default = default
        self.overrides = dict(overrides)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Check the declared size, then count the received bytes."""
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        limit = self.overrides.get(scope["path"], self.default)
        declared = Headers(scope=scope).get("content-length", "")
        if declared.isdigit() and int(declared) > limit:
            await _refuse(send, 413, BodyTooLargeError(limit).detail, BodyTooLargeError.problem_type)
            return
        received = 0

        async def counted() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    raise BodyTooLargeError(limit)
            return message

        started = False

        async def watched(message: Message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, counted, watched)
        except BodyTooLargeError as exc:  # raised where no handler turned it into a response
            if started:
                raise
            await _refuse(send, 413, exc.detail, exc.problem_type)


class ConcurrencyCap:
    """Refuse requests beyond ``max_requests`` in flight in this worker with 503 + Retry-After.

    Refusing at once is the point: queued behind a full thread pool, a request would hang until
    the client gave up. Console event streams have their own cap (``max_streams``); ``/health``
    is never refused.
    """

    def __init__(self, app: ASGIApp, max_requests: int, max_streams: int) -> None:
        """Wrap ``app``.

        Args:
            app: The next ASGI app.
            max_requests: Ordinary requests served at once (``NSO_MAX_CONCURRENT_REQUESTS``).
            max_streams: Console event streams open at once (``NSO_MAX_EVENT_STREAMS``).
        """
        self.app = app
        self.limits = {"requests": max_requests, "streams": max_streams}
        self.active = {"requests": 0, "streams": 0}
        self._warned_at = 0.0

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Count the request in, or refuse it when its kind is at the cap."""
        path = scope.get("path", "")
        if scope["type"] != "http" or path in UNCAPPED_PATHS:
            await self.app(scope, receive, send)
            return
        kind = "streams" if is_event_stream(path) else "requests"
        if self.active[kind] >= self.limits[kind]:
            if time.monotonic() - self._warned_at > BUSY_WARNING_SECONDS:  # not one line per refusal
                self._warned_at = time.monotonic()
                log.warning("busy: %s %s in flight, the cap; refusing more with 503", self.active[kind], kind)
            await _refuse(send, 503, "the service is busy; please retry", "busy", {"Retry-After": "1"})
            return
        self.active[kind] += 1  # one event loop per worker: no lock needed
        try:
            await self.app(scope, receive, send)
        finally:
            self.active[kind] -= 1


def is_event_stream(path: str) -> bool:
    """Whether ``path`` is one of the console's long-lived event streams."""
    return path.startswith(EVENT_STREAM_PREFIX) and path.endswith(EVENT_STREAM_SUFFIX)
