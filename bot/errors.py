"""One place that maps domain errors and validation failures to clear 4xx responses."""

from __future__ import annotations

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse

from knowledge.loader import UnknownFaqError, UnsupportedLanguageError
from knowledge.rules import InvalidInputError, UnknownRuleError


def _field(loc: tuple[object, ...]) -> str:
    parts = [str(p) for p in loc if p not in ("body", "query", "path")]
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
    return JSONResponse(
        status_code=422,
        content={"detail": str(exc), "errors": [{"field": exc.field, "message": exc.reason}]},
    )


def install(app: FastAPI) -> None:
    """Register the handlers on ``app``."""
    app.add_exception_handler(RequestValidationError, _validation)
    app.add_exception_handler(UnsupportedLanguageError, _unsupported_language)
    app.add_exception_handler(UnknownFaqError, _unknown_faq)
    app.add_exception_handler(UnknownRuleError, _unknown_rule)
    app.add_exception_handler(InvalidInputError, _invalid_input)
