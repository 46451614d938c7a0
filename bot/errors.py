"""One error format for every route: RFC 9457 problem details (``application/problem+json``).

Every error body has ``type``, ``title``, ``status`` and ``detail`` (a sentence the widget and the
console show as it is); a 422 adds ``errors``, one ``{field, message, example?}`` per bad field, and
some problems carry extension members (``supported`` languages, ``known`` rules, a conflict's
``code`` and ``taken_by``). :func:`problem` builds them all, here and in the ASGI middlewares of
:mod:`bot.security`; :func:`install` maps domain errors, FastAPI's validation errors and
Starlette's own HTTP errors (unknown path, wrong method) to them; :func:`document` declares every
status each route can return in the OpenAPI document, with an example body.
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from http import HTTPStatus
from typing import Any
from urllib.parse import urlencode

from fastapi import FastAPI, Request
from fastapi.dependencies.models import Dependant
from fastapi.exceptions import RequestValidationError
from fastapi.openapi.utils import get_openapi
from fastapi.responses import JSONResponse, RedirectResponse
from fastapi.routing import iter_route_contexts
from pydantic import BaseModel, ConfigDict, Field
from starlette.exceptions import HTTPException as StarletteHTTPException

from conversation.agents import LoginBusyError, LoginThrottledError
from conversation.handoff import ConversationNotFoundError, HandoffConflictError
from knowledge import rules
from knowledge.loader import UnknownFaqError, UnsupportedLanguageError
from knowledge.rules import InvalidInputError, UnknownRuleError
from knowledge.schema import LANGS

PROBLEM_MEDIA_TYPE = "application/problem+json"
FIELD_PART_CHARS = 60  # a dict key in ``loc`` is the client's own text: never echo it whole
# Problem types are tag URIs (RFC 9457 3.1.1: an identifier, not a page to fetch); plain HTTP
# errors without a more specific meaning use ``about:blank`` with the status phrase as title.
TYPE_PREFIX = "tag:nso-assistant,2026:problem:"


class FieldError(BaseModel):
    """One invalid field of a 422: where, what is wrong, and (for rule inputs) a valid example."""

    field: str = Field(description="Dotted path of the field, e.g. text, as_of or a rule input name")
    message: str
    example: str | None = Field(default=None, description="A value that would be accepted")


class Problem(BaseModel):
    """An error (RFC 9457 problem details); ``detail`` is the sentence to show a person."""

    model_config = ConfigDict(extra="allow")

    type: str = Field(
        default="about:blank", description="What kind of problem (a URI; about:blank = plain HTTP)"
    )
    title: str = Field(description="Short summary of the problem type")
    status: int = Field(ge=400, le=599, description="The HTTP status code")
    detail: str = Field(description="What went wrong here, for a person")
    errors: list[FieldError] | None = Field(default=None, description="422 only: one entry per invalid field")
    supported: list[str] | None = Field(default=None, description="400 unsupported language: the languages")
    known: list[str] | None = Field(default=None, description="404 unknown rule: the rule names")
    code: str | None = Field(default=None, description="409 conflict: taken, not_taken or closed")
    taken_by: str | None = Field(default=None, description="409 taken: the agent who has the conversation")


def _type(slug: str | None) -> str:
    return TYPE_PREFIX + slug if slug else "about:blank"


def problem_body(
    status: int, detail: str, *, kind: str | None = None, title: str | None = None, **extensions: object
) -> dict[str, object]:
    """The problem document as a dict (for ASGI middlewares that answer without a route).

    Args:
        status: The HTTP status code.
        detail: The sentence for a person (the widget and the console show it).
        kind: A problem type slug (``validation``, ``unknown-rule``…); none = ``about:blank``.
        title: The type's summary; defaults to the status phrase.
        **extensions: Extra members (``errors``, ``supported``, ``known``, ``code``, ``taken_by``…).

    Returns:
        The JSON object.
    """
    body: dict[str, object] = {
        "type": _type(kind),
        "title": title or HTTPStatus(status).phrase,
        "status": status,
        "detail": detail,
    }
    body.update(extensions)
    return body


class ProblemResponse(JSONResponse):
    """A JSON response with the problem-details media type."""

    media_type = PROBLEM_MEDIA_TYPE


def problem(
    status: int,
    detail: str,
    *,
    kind: str | None = None,
    title: str | None = None,
    headers: Mapping[str, str] | None = None,
    **extensions: object,
) -> ProblemResponse:
    """The one way to answer with an error: an ``application/problem+json`` response.

    Args:
        status: The HTTP status code.
        detail: The sentence for a person.
        kind: A problem type slug; none = ``about:blank``.
        title: The type's summary; defaults to the status phrase.
        headers: Extra headers (``Retry-After``, ``Allow``).
        **extensions: Extra members of the problem document.

    Returns:
        The response.
    """
    body = problem_body(status, detail, kind=kind, title=title, **extensions)
    return ProblemResponse(body, status_code=status, headers=dict(headers or {}))


# --- handlers ---------------------------------------------------------------------------------------


def _field(loc: tuple[object, ...]) -> str:
    parts = [str(p)[:FIELD_PART_CHARS] for p in loc if p not in ("body", "query", "path", "header")]
    return ".".join(parts) or "body"


def invalid(errors: list[dict[str, str]], detail: str | None = None) -> ProblemResponse:
    """422 with one entry per invalid field; ``detail`` lists them in one line unless given."""
    detail = detail or "; ".join(f"{e['field']}: {e['message']}" for e in errors)
    return problem(422, detail, kind="validation", title="The request is not valid", errors=errors)


LANG_CHARS = 16  # an unsupported language is echoed, cut to this length


async def _validation(request: Request, exc: Exception) -> ProblemResponse:
    assert isinstance(exc, RequestValidationError)
    found = exc.errors()
    if (
        request.url.path.startswith("/api/")
        and len(found) == 1
        and tuple(found[0].get("loc", ()))[-1:] == ("lang",)
        and found[0]["type"] == "literal_error"
        and isinstance(found[0].get("input"), str)
    ):
        # The API's promise from before the enum: an unknown language is a 400 listing them.
        lang = str(found[0].get("input"))[:LANG_CHARS]
        return await _unsupported_language(request, UnsupportedLanguageError(lang))
    return invalid(
        [{"field": _field(tuple(e.get("loc", ()))), "message": str(e.get("msg", "invalid"))} for e in found]
    )


async def _http_error(request: Request, exc: Exception) -> ProblemResponse:
    """Starlette's and the routes' ``HTTPException``: unknown path (404), wrong method (405), …"""
    assert isinstance(exc, StarletteHTTPException)
    detail = exc.detail if isinstance(exc.detail, str) else HTTPStatus(exc.status_code).phrase
    headers = dict(exc.headers or {})
    if exc.status_code == 405:  # Starlette lists the first matching route's methods only
        headers["Allow"] = ", ".join(_allowed(request))
    return problem(exc.status_code, detail, kind=getattr(exc, "problem_type", None), headers=headers)


def _allowed(request: Request) -> list[str]:
    """Every method some route of the request's path answers (one route per method in FastAPI)."""
    methods: set[str] = set()
    for context in iter_route_contexts(request.app.routes):
        regex = getattr(context, "path_regex", None)
        if regex is not None and regex.match(request.url.path):
            methods.update(context.methods or ())
    return sorted(methods)


async def _unsupported_language(_: Request, exc: Exception) -> ProblemResponse:
    assert isinstance(exc, UnsupportedLanguageError)
    return problem(
        400, str(exc), kind="unsupported-language", title="Unsupported language", supported=list(LANGS)
    )


async def _unknown_faq(_: Request, exc: Exception) -> ProblemResponse:
    return problem(404, str(exc), kind="unknown-faq", title="Unknown FAQ topic")


async def _unknown_rule(_: Request, exc: Exception) -> ProblemResponse:
    assert isinstance(exc, UnknownRuleError)
    return problem(404, str(exc), kind="unknown-rule", title="Unknown rule", known=list(exc.known))


async def _invalid_input(_: Request, exc: Exception) -> ProblemResponse:
    assert isinstance(exc, InvalidInputError)
    error = {"field": exc.field, "message": exc.reason}
    if exc.example is not None:
        error["example"] = exc.example
    return invalid([error], str(exc))


class LoginRequiredError(Exception):
    """A console route was called without a valid session."""


async def _login_required(request: Request, _: Exception) -> ProblemResponse | RedirectResponse:
    """Pages send the browser to the login form (and back afterwards); the console API says 401."""
    path = request.url.path
    if path.startswith("/console/api/") or request.headers.get("accept", "").startswith("text/event-stream"):
        return problem(401, "sign in first", kind="login-required", title="Sign-in required")
    target = path + (f"?{request.url.query}" if request.url.query else "")
    return RedirectResponse(f"/console/login?{urlencode({'next': target})}", status_code=303)


async def _conversation_not_found(_: Request, exc: Exception) -> ProblemResponse:
    return problem(
        404, f"unknown conversation: {exc}", kind="unknown-conversation", title="Unknown conversation"
    )


async def _handoff_conflict(_: Request, exc: Exception) -> ProblemResponse:
    assert isinstance(exc, HandoffConflictError)
    return problem(
        409, exc.code, kind="handoff-conflict", title="Handoff conflict", code=exc.code, taken_by=exc.taken_by
    )


async def _login_throttled(_: Request, exc: Exception) -> ProblemResponse:
    assert isinstance(exc, LoginThrottledError)
    return problem(
        429,
        "too many failed sign-ins from this address; wait before trying again",
        kind="rate-limited",
        headers={"Retry-After": str(exc.retry_after)},
    )


async def _login_busy(_: Request, exc: Exception) -> ProblemResponse:
    assert isinstance(exc, LoginBusyError)
    return problem(
        503,
        "sign-in is busy; please retry in a moment",
        kind="busy",
        headers={"Retry-After": str(exc.retry_after)},
    )


HANDLERS: dict[type[Exception], Callable[[Request, Exception], Any]] = {
    RequestValidationError: _validation,
    StarletteHTTPException: _http_error,
    UnsupportedLanguageError: _unsupported_language,
    UnknownFaqError: _unknown_faq,
    UnknownRuleError: _unknown_rule,
    InvalidInputError: _invalid_input,
    LoginRequiredError: _login_required,
    ConversationNotFoundError: _conversation_not_found,
    HandoffConflictError: _handoff_conflict,
    LoginThrottledError: _login_throttled,
    LoginBusyError: _login_busy,
}


def install(app: FastAPI) -> None:
    """Register the handlers on ``app``."""
    for exc_class, handler in HANDLERS.items():
        app.add_exception_handler(exc_class, handler)


# --- the OpenAPI side: every status with its example ----------------------------------------------

PROBLEM_REF = {"$ref": "#/components/schemas/Problem"}
SESSION_SCHEME, CSRF_SCHEME = "consoleSession", "csrfToken"
SECURITY_SCHEMES = {  # the console API's: the sign-in form's cookie, and the page's token for changes
    SESSION_SCHEME: {
        "type": "apiKey",
        "in": "cookie",
        "name": "nso_console",
        "description": "The console session, set by signing in at /console/login",
    },
    CSRF_SCHEME: {
        "type": "apiKey",
        "in": "header",
        "name": "X-CSRF-Token",
        "description": "The session's CSRF token (the pages' csrf-token meta tag); changes need it",
    },
}
RETRY_AFTER = {
    "Retry-After": {
        "description": "Seconds to wait before trying again",
        "required": True,
        "schema": {"type": "integer", "minimum": 0},
    }
}
EXAMPLES: dict[int, dict[str, object]] = {
    400: problem_body(
        400,
        "unsupported language 'fr'; supported: en, nl, sl",
        kind="unsupported-language",
        title="Unsupported language",
        supported=["en", "nl", "sl"],
    ),
    401: problem_body(401, "sign in first", kind="login-required", title="Sign-in required"),
    403: problem_body(403, "missing or wrong CSRF token"),
    404: problem_body(
        404, "unknown conversation: 3f2a9c1e", kind="unknown-conversation", title="Unknown conversation"
    ),
    405: problem_body(405, "Method Not Allowed"),
    409: problem_body(
        409, "taken", kind="handoff-conflict", title="Handoff conflict", code="taken", taken_by="Ada"
    ),
    413: problem_body(413, "request body too large: at most 65536 bytes", kind="body-too-large"),
    422: problem_body(
        422,
        "text: String should have at least 1 character",
        kind="validation",
        title="The request is not valid",
        errors=[{"field": "text", "message": "String should have at least 1 character"}],
    ),
    429: problem_body(429, "too many requests; slow down", kind="rate-limited"),
    503: problem_body(503, "the service is busy; please retry", kind="busy"),
}
DESCRIPTIONS = {
    400: "Unsupported language (the supported ones are listed), or a body that is not JSON",
    401: "Not signed in (no valid console session)",
    403: "Refused: missing or wrong CSRF token, or not allowed",
    404: "Not found",
    405: "Method not allowed",
    409: "Conflict with the resource's current state",
    413: "Request body too large",
    422: "Invalid request: one entry per invalid field",
    429: "Too many requests (wait Retry-After seconds)",
    503: "Busy or temporarily unavailable (wait Retry-After seconds)",
}


def _response(
    status: int, description: str | None = None, example: Mapping[str, object] | None = None
) -> dict[str, Any]:
    response: dict[str, Any] = {
        "description": description or DESCRIPTIONS.get(status, HTTPStatus(status).phrase),
        "content": {
            PROBLEM_MEDIA_TYPE: {"schema": PROBLEM_REF, "example": dict(example or EXAMPLES[status])}
        },
    }
    if status in (429, 503):
        response["headers"] = copy.deepcopy(RETRY_AFTER)
    return response


PROBLEM_RESPONSES: dict[int, dict[str, Any]] = {status: _response(status) for status in EXAMPLES}
# FastAPI's answer to a body it cannot decode: what a body route without a language says for 400.
NOT_JSON = _response(400, "The body is not JSON", problem_body(400, "There was an error parsing the body"))


def responses(
    *statuses: int, **specific: tuple[str, Mapping[str, object]]
) -> dict[int | str, dict[str, Any]]:
    """The ``responses=`` of a route: shared problem responses, or ones with the route's own example.

    Args:
        *statuses: Statuses answered with the shared description and example.
        **specific: ``s404=(description, example)`` for a status with its own text and example.

    Returns:
        The mapping FastAPI expects.
    """
    declared: dict[int | str, dict[str, Any]] = {s: copy.deepcopy(PROBLEM_RESPONSES[s]) for s in statuses}
    for key, (description, example) in specific.items():
        status = int(key.lstrip("s"))
        declared[status] = _response(status, description, example)
    return declared


def _depends_on(dependant: Dependant, calls: Iterable[Callable[..., object]]) -> bool:
    wanted = set(calls)
    stack = [dependant]
    while stack:
        current = stack.pop()
        if current.call in wanted:
            return True
        stack.extend(current.dependencies)
    return False


def _reads_input(dependant: Dependant) -> bool:
    stack = [dependant]
    while stack:
        current = stack.pop()
        if (
            any((current.path_params, current.query_params, current.header_params, current.cookie_params))
            or current.body_params
        ):
            return True
        stack.extend(current.dependencies)
    return False


@dataclass(frozen=True)
class Outside:
    """Where statuses come from outside a route: its dependencies and the middlewares.

    Attributes:
        signed_in: Dependencies that answer 401 without a console session.
        csrf: Dependencies that answer 403 without the session's CSRF token.
        refused: Other dependencies that answer 403 (the admin role).
        rate_limited: Path prefixes limited per client (429).
        uncapped: Paths the concurrency cap never refuses (no 503).
    """

    signed_in: tuple[Callable[..., object], ...]
    csrf: tuple[Callable[..., object], ...]
    refused: tuple[Callable[..., object], ...]
    rate_limited: tuple[str, ...]
    uncapped: frozenset[str]

    def security(self, dependant: Dependant) -> list[dict[str, list[str]]]:
        """The operation's security requirement: the session cookie, and the CSRF header for changes."""
        if not _depends_on(dependant, self.signed_in):
            return []
        if _depends_on(dependant, self.csrf):
            return [{SESSION_SCHEME: [], CSRF_SCHEME: []}]
        return [{SESSION_SCHEME: []}]

    def statuses(self, path: str, method: str, dependant: Dependant) -> list[int]:
        """The statuses a route gets from outside it."""
        found: list[int] = []
        if _depends_on(dependant, self.signed_in):
            found.append(401)
        if _depends_on(dependant, self.csrf + self.refused):
            found.append(403)
        if method in ("POST", "PUT", "PATCH"):
            found += [400, 413]
        if _reads_input(dependant):
            found.append(422)
        if path.startswith(self.rate_limited):
            found.append(429)
        if path not in self.uncapped:
            found.append(503)
        return found


def document(
    app: FastAPI,
    *,
    signed_in: Iterable[Callable[..., object]],
    csrf: Iterable[Callable[..., object]],
    refused: Iterable[Callable[..., object]],
    rate_limited: tuple[str, ...],
    uncapped: Iterable[str],
) -> None:
    """Declare every status each route can return in ``app``'s OpenAPI document, with examples.

    Routes declare their own (400, 404, 409 with ``responses=``); the statuses that come from
    outside them are added here: 401 where a console session is needed, 403 where a CSRF token or
    the admin role is, 413 where a body is sent, 422 where parameters or a body are read, 429 on
    the rate-limited prefixes and 503 (the concurrency cap, an unavailable database) on all but
    the uncapped probe. FastAPI's own 422 (``HTTPValidationError``) is replaced by the problem.

    Args:
        app: The app, with every router included.
        signed_in: Dependencies that answer 401 without a session (security: the session cookie).
        csrf: Dependencies that answer 403 without the CSRF token (security: its header).
        refused: Other dependencies that answer 403.
        rate_limited: Path prefixes limited per client (429).
        uncapped: Paths the concurrency cap never refuses.
    """
    outside = Outside(tuple(signed_in), tuple(csrf), tuple(refused), rate_limited, frozenset(uncapped))
    app.openapi = lambda: openapi(app, outside)  # type: ignore[method-assign]


def _declare(operation: dict[str, Any], statuses: Iterable[int]) -> None:
    """Add ``statuses`` to an operation; give every error status the problem schema and an example."""
    declared: dict[str, Any] = operation["responses"]
    for status in statuses:
        if status == 422 and PROBLEM_MEDIA_TYPE not in declared.get("422", {}).get("content", {}):
            declared.pop("422", None)  # FastAPI's default shape, not what the app answers
        shared = NOT_JSON if status == 400 else PROBLEM_RESPONSES[status]
        declared.setdefault(str(status), copy.deepcopy(shared))
    for key, response in declared.items():
        code = int(key) if key.isdigit() else 0
        if code >= 400 and PROBLEM_MEDIA_TYPE not in response.get("content", {}):
            declared[key] = _response(code, response.get("description"), EXAMPLES.get(code))
    operation["responses"] = dict(sorted(declared.items()))


def _rule_names(schema: dict[str, Any]) -> None:
    """The closed sets of the rules route: rule names (path) and input names (body), from the rules."""
    specs = rules.list_rules()
    for operation in schema["paths"].get("/api/rules/{rule}", {}).values():
        for parameter in operation.get("parameters", []):
            if parameter["name"] == "rule" and parameter["in"] == "path":
                parameter["schema"] = {
                    "type": "string",
                    "enum": [spec.name for spec in specs],
                    "title": "Rule",
                }
    inputs = schema["components"]["schemas"].get("RuleCheckCreate", {}).get("properties", {}).get("inputs")
    if inputs is not None:
        names = sorted({field.name for spec in specs for field in spec.inputs})
        inputs["propertyNames"] = {"enum": names}


def openapi(app: FastAPI, outside: Outside) -> dict[str, Any]:
    """The OpenAPI document: every error status as a problem with its example; rule names as an enum.

    Built once, on the first request of ``/openapi.json``; the rules are read then, not at import.

    Args:
        app: The app.
        outside: Where statuses come from outside the routes.

    Returns:
        The document.
    """
    if app.openapi_schema:
        return app.openapi_schema
    schema = get_openapi(
        title=app.title,
        version=app.version,
        description=app.description,
        routes=app.routes,
        tags=app.openapi_tags,
    )
    for context in iter_route_contexts(app.routes):
        dependant = getattr(context, "dependant", None)
        if not getattr(context, "include_in_schema", False) or dependant is None or context.path is None:
            continue
        for method in context.methods or ():
            operation = schema["paths"].get(context.path, {}).get(method.lower())
            if operation is None:
                continue
            _declare(operation, outside.statuses(context.path, method, dependant))
            if security := outside.security(dependant):
                operation["security"] = security
    schema.setdefault("components", {})["securitySchemes"] = copy.deepcopy(SECURITY_SCHEMES)
    components = schema["components"].setdefault("schemas", {})
    problem_schema = Problem.model_json_schema(ref_template="#/components/schemas/{model}")
    components.update(problem_schema.pop("$defs", {}))
    components["Problem"] = problem_schema
    for unused in ("HTTPValidationError", "ValidationError"):
        components.pop(unused, None)
    _rule_names(schema)
    app.openapi_schema = schema
    return schema
