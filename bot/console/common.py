"""What every console module shares: the security headers, the templates, their language, the id pattern.

Kept apart from ``__init__`` so the route modules can import it without importing each other.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Coroutine
from pathlib import Path as FilePath
from typing import Annotated, Any

from fastapi import HTTPException, Path, Request, Response
from fastapi.responses import HTMLResponse
from fastapi.routing import APIRoute
from fastapi.templating import Jinja2Templates

from bot.console import i18n, labels
from conversation.handoff import ConversationNotFoundError

BOT_DIR = FilePath(__file__).resolve().parent.parent
STATIC_DIR = BOT_DIR / "static" / "console"
templates = Jinja2Templates(directory=BOT_DIR / "templates")
templates.env.add_extension("jinja2.ext.i18n")
# gettext() and ngettext() read the language render_page() sets, so one environment serves all three.
templates.env.install_gettext_callables(  # type: ignore[attr-defined]  # added by the i18n extension
    i18n.gettext, i18n.ngettext, newstyle=True
)
templates.env.globals.update(
    plurals=i18n.plurals, language_names=i18n.LANGUAGE_NAMES, label=labels.label, labels=labels.labels
)
SECURITY_HEADERS = {
    "Content-Security-Policy": (
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
        "connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'"
    ),
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "Cache-Control": "no-store",
}
ConversationId = Annotated[str, Path(pattern=r"^[A-Za-z0-9_.:-]{1,128}$")]


class ConsoleRoute(APIRoute):
    """Adds the console's security headers to every response (strict CSP, no framing, no caching).

    A page (a GET route answering HTML) that finds no conversation, or refuses the agent, answers
    with the console's error page in the agent's language instead of the API's JSON error.

    Every console router must be built with ``route_class=ConsoleRoute``: an included router keeps
    the route class it was declared with, so the parent's alone would not cover it.
    """

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        """Wrap FastAPI's handler to set the headers on whatever the route returns."""
        handler = super().get_route_handler()
        is_page = self.response_class is HTMLResponse and "GET" in (self.methods or set())

        async def with_headers(request: Request) -> Response:
            try:
                response = await handler(request)
            except (ConversationNotFoundError, HTTPException) as exc:
                status = 404 if isinstance(exc, ConversationNotFoundError) else exc.status_code
                if not is_page or status not in ERROR_PAGES:
                    raise
                response = render_page(request, "error.html", status, error=ERROR_PAGES[status])
            for key, value in SECURITY_HEADERS.items():
                response.headers.setdefault(key, value)
            return response

        return with_headers


ERROR_PAGES = {403: "forbidden", 404: "not_found"}  # status -> the error page's text


def _utc(value: dt.datetime | None) -> str:
    return value.strftime("%Y-%m-%d %H:%M UTC") if value else ""


def _fill(text: str, **values: object) -> str:
    """Put values into a message's ``{name}`` placeholders (the scripts' style, shared with them).

    A translated message is Markup in an autoescaped template, and Markup.replace escapes the
    values it inserts.
    """
    for key, value in values.items():
        text = text.replace("{" + key + "}", str(value))
    return text


templates.env.filters["utc"] = _utc
templates.env.filters["fill"] = _fill


def render_page(request: Request, name: str, status_code: int = 200, **context: Any) -> HTMLResponse:
    """Render ``templates/console/<name>`` in the agent's language.

    The one place that knows where console templates live and which language they speak: the
    template gets ``lang``, and the signed-in agent (for the header) unless the route passes one.

    Args:
        request: The request (every template response carries it).
        name: The template's file name under ``templates/console/``.
        status_code: The response status (a refused form comes back with 4xx).
        **context: The template's variables; ``lang`` overrides the agent's language.

    Returns:
        The rendered page.
    """
    lang = context.pop("lang", None) or i18n.request_language(request)
    context.setdefault("agent", getattr(request.state, "agent", None))
    with i18n.speaking(lang):
        return templates.TemplateResponse(
            request, f"console/{name}", {"lang": lang, **context}, status_code=status_code
        )


def safe_next(target: str | None) -> str:
    """Only console paths: a link back (after sign-in, after a language change) cannot leave the console."""
    if target and target.startswith("/console/") and not target.startswith("//") and "\\" not in target:
        return target
    return "/console/queue"


def remember_language(response: Response, lang: str, *, secure: bool) -> None:
    """Keep the agent's console language in a cookie for a year (one per browser, not per account)."""
    response.set_cookie(
        i18n.LANGUAGE_COOKIE,
        lang,
        max_age=365 * 24 * 3600,
        httponly=True,
        samesite="lax",
        secure=secure,
        path="/console",
    )
