"""HTTP hardening: security headers, CORS for configured NSO sites, per-client rate limits,
and 503 (not 500) when the database is unavailable."""

from __future__ import annotations

import logging
import math
import threading
import time
from collections.abc import Awaitable, Callable

from fastapi import FastAPI, Request, Response
from fastapi.middleware.cors import CORSMiddleware
from fastapi.responses import JSONResponse
from sqlalchemy.exc import OperationalError

from bot.settings import Settings

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


class RateLimiter:
    """Token bucket per client address: ``per_minute`` requests, bursts up to a quarter of it.

    In-process state; with several API workers each has its own buckets (see README, scale-out).
    """

    def __init__(self, per_minute: int) -> None:
        self.rate = per_minute / 60.0
        self.capacity = max(1.0, per_minute / 4)
        self._buckets: dict[str, tuple[float, float]] = {}
        self._lock = threading.Lock()

    def retry_after(self, client: str) -> int:
        """0 if the request may pass, else seconds until a token is available."""
        now = time.monotonic()
        with self._lock:
            tokens, last = self._buckets.get(client, (self.capacity, now))
            tokens = min(self.capacity, tokens + (now - last) * self.rate)
            if tokens >= 1:
                self._buckets[client] = (tokens - 1, now)
                return 0
            self._buckets[client] = (tokens, now)
            return max(1, math.ceil((1 - tokens) / self.rate))


def install(app: FastAPI, settings: Settings) -> None:
    """Add the middlewares and the database-unavailable handler to ``app``."""
    limiter = RateLimiter(settings.rate_limit_per_minute)

    @app.middleware("http")
    async def _harden(request: Request, call_next: Callable[[Request], Awaitable[Response]]) -> Response:
        path = request.url.path
        if path.startswith(LIMITED_PREFIXES):
            client = request.client.host if request.client else "unknown"
            wait = limiter.retry_after(client)
            if wait:
                return JSONResponse(
                    {"detail": "too many requests; slow down"},
                    status_code=429,
                    headers={"Retry-After": str(wait)},
                )
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
        allow_headers=["Content-Type"],
    )

    async def _database_unavailable(_: Request, exc: Exception) -> JSONResponse:
        log.error("database unavailable: %s", type(exc).__name__)
        return JSONResponse(
            {"detail": "the service is temporarily unavailable; please retry"},
            status_code=503,
            headers={"Retry-After": "5"},
        )

    app.add_exception_handler(OperationalError, _database_unavailable)
