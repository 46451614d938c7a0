"""One place that maps domain errors and validation failures to clear 4xx responses."""

from __future__ import annotations

from urllib.parse import urlencode

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, RedirectResponse

from conversation.agents import LoginBusyError, LoginThrottledError
from conversation.handoff import ConversationNotFoundError, HandoffConflictError
from knowledge.loader import UnknownFaqError, UnsupportedLanguageError
from knowledge.rules import InvalidInputError, UnknownRuleError

FIELD_PART_CHARS = 60  # a dict key in ``loc`` is the client's own text: never echo it whole


def _field(loc: tuple[object, ...]) -> str:
    parts = [str(p)[:FIELD_PART_CHARS] for p in loc if p not in ("body", "query", "path")]
    return ".".join(parts) or "body"


async def _validation(_: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    errors = [
        {"field": _field(tuple(e.get("loc", ()))), "message": str(e.get("msg", "invalid"))}
        for e in exc.errors()
    ]
    detail = "; ".join(f"{e['field']}: {e['message']}" for e in errors)
    return JSONResponse(status_code=422, content={"detail": detail, "errors": errors})


async def _unsupported_language(_: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, UnsupportedLanguageError)
    return JSONResponse(status_code=400, content={"detail": str(exc), "supported": ["en", "nl", "sl"]})


async def _unknown_faq(_: Request, exc: Exception) -> JSONResponse:
    return JSONResponse(status_code=404, content={"detail": str(exc)})


async def _unknown_rule(_: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, UnknownRuleError)
    return JSONResponse(status_code=404, content={"detail": str(exc), "known": list(exc.known)})


async def _invalid_input(_: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, InvalidInputError)
    error = {"field": exc.field, "message": exc.reason}
    if exc.example is not None:
        error["example"] = exc.example
    return JSONResponse(status_code=422, content={"detail": str(exc), "errors": [error]})


class LoginRequiredError(Exception):
    """A console route was called without a valid session."""


async def _login_required(request: Request, _: Exception) -> JSONResponse | RedirectResponse:
    """Pages send the browser to the login form (and back afterwards); the console API says 401."""
    path = request.url.path
    if path.startswith("/console/api/") or request.headers.get("accept", "").startswith("text/event-stream"):
        return JSONResponse(status_code=401, content={"detail": "sign in first"})
    target = path + (f"?{request.url.query}" if request.url.query else "")
    return RedirectResponse(f"/console/login?{urlencode({'next': target})}", status_code=303)


async def _conversation_not_found(_: Request, exc: Exception) -> JSONResponse:
    return JSONResponse(status_code=404, content={"detail": f"unknown conversation: {exc}"})


async def _handoff_conflict(_: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, HandoffConflictError)
    return JSONResponse(
        status_code=409, content={"detail": exc.code, "code": exc.code, "taken_by": exc.taken_by}
    )


async def _login_throttled(_: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, LoginThrottledError)
    return JSONResponse(
        status_code=429,
        content={"detail": "too many failed sign-ins from this address; wait before trying again"},
        headers={"Retry-After": str(exc.retry_after)},
    )


async def _login_busy(_: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, LoginBusyError)
    return JSONResponse(
        status_code=503,
        content={"detail": "sign-in is busy; please retry in a moment"},
        headers={"Retry-After": str(exc.retry_after)},
    )


def install(app: FastAPI) -> None:
    """Register the handlers on ``app``."""
    app.add_exception_handler(RequestValidationError, _validation)
    app.add_exception_handler(UnsupportedLanguageError, _unsupported_language)
    app.add_exception_handler(UnknownFaqError, _unknown_faq)
    app.add_exception_handler(UnknownRuleError, _unknown_rule)
    app.add_exception_handler(InvalidInputError, _invalid_input)
    app.add_exception_handler(LoginRequiredError, _login_required)
    app.add_exception_handler(ConversationNotFoundError, _conversation_not_found)
    app.add_exception_handler(HandoffConflictError, _handoff_conflict)
    app.add_exception_handler(LoginThrottledError, _login_throttled)
    app.add_exception_handler(LoginBusyError, _login_busy)
