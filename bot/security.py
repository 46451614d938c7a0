"""HTTP hardening: security headers, CORS for configured NSO sites, per-client rate limits,
and 503 (not 500) when the database is unavailable."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable

from fastapi import FastAPI, Request, Response
from fastapi.middleware.cors import CORSMiddleware
from fastapi.responses import JSONResponse
from sqlalchemy.exc import OperationalError

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


def install(app: FastAPI, settings: Settings) -> None:
    """Add the middlewares and the database-unavailable handler to ``app``."""
    limiter = limiter_for(settings)

    @app.middleware("http")
    async def _harden(request: Request, call_next: Callable[[Request], Awaitable[Response]]) -> Response:
        path = request.url.path
        if path.startswith(LIMITED_PREFIXES):
            client = request.client.host if request.client else "unknown"
            wait = await limiter.retry_after(client)
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
