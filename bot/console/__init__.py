"""The helpdesk console for NSO agents: sign-in, queue, takeover, transcripts, tools, analytics, admin.

Pages are server-rendered (Jinja, autoescaped) and enhanced by the scripts in
bot/static/console/; the live parts use the JSON and Server-Sent Events routes under
/console/api/. Every route except the login form needs a session; every state change needs
the session's CSRF token; the admin routes need the admin role.

One module per part: :mod:`.auth` (sign-in, password reset), :mod:`.pages`, :mod:`.transcripts`,
:mod:`.admin`, :mod:`.api` (JSON), :mod:`.saved_replies`, :mod:`.events` (Server-Sent Events),
:mod:`.analytics`; :mod:`.common` holds what they share, :mod:`.i18n` and :mod:`.labels` the
agent's language (English, Dutch, Slovenian). This package only assembles them into ``router``.
"""

from __future__ import annotations

from fastapi import APIRouter

from bot.console import admin, analytics, api, auth, events, pages, saved_replies, transcripts
from bot.console.common import STATIC_DIR, ConsoleRoute

__all__ = ["STATIC_DIR", "router"]

router = APIRouter(prefix="/console", tags=["console"], route_class=ConsoleRoute)
# "/console" itself has an empty path, which FastAPI refuses in an included router.
router.add_api_route("", pages.home, methods=["GET"], include_in_schema=False)
for part in (auth, pages, transcripts, admin, api, saved_replies, events, analytics):
    router.include_router(part.router)
