"""What every console module shares: the security headers, the templates and the id pattern.

Kept apart from ``__init__`` so the route modules can import it without importing each other.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Coroutine
from pathlib import Path as FilePath
from typing import Annotated, Any

from fastapi import Path, Request, Response
from fastapi.responses import HTMLResponse
from fastapi.routing import APIRoute
from fastapi.templating import Jinja2Templates

BOT_DIR = FilePath(__file__).resolve().parent.parent
STATIC_DIR = BOT_DIR / "static" / "console"
templates = Jinja2Templates(directory=BOT_DIR / "templates")
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

    Every console router must be built with ``route_class=ConsoleRoute``: an included router keeps
    the route class it was declared with, so the parent's alone would not cover it.
    """

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        """Wrap FastAPI's handler to set the headers on whatever the route returns."""
        handler = super().get_route_handler()

        async def with_headers(request: Request) -> Response:
            response = await handler(request)
            for key, value in SECURITY_HEADERS.items():
                response.headers.setdefault(key, value)
            return response

        return with_headers


def _utc(value: dt.datetime | None) -> str:
    return value.strftime("%Y-%m-%d %H:%M UTC") if value else ""


templates.env.filters["utc"] = _utc


def render_page(request: Request, name: str, status_code: int = 200, **context: Any) -> HTMLResponse:
    """Render ``templates/console/<name>``: one place that knows where console templates live.

    Args:
        request: The request (every template response carries it).
        name: The template's file name under ``templates/console/``.
        status_code: The response status (a refused form comes back with 4xx).
        **context: The template's variables.

    Returns:
        The rendered page.
    """
    return templates.TemplateResponse(request, f"console/{name}", context, status_code=status_code)
