"""The embeddable chat widget's files and a demo NSO page that embeds it."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Literal

from fastapi import APIRouter, Query, Request
from fastapi.responses import FileResponse, HTMLResponse
from fastapi.templating import Jinja2Templates

BOT_DIR = Path(__file__).resolve().parent.parent
WIDGET_DIR = BOT_DIR / "static" / "widget"
templates = Jinja2Templates(directory=BOT_DIR / "templates")

router = APIRouter(tags=["web"])
# NSO pages load the widget on every page view: let browsers cache it briefly, then revalidate.
CACHE = {"Cache-Control": "public, max-age=300"}


@router.get("/widget.js", response_class=FileResponse, include_in_schema=False)
def widget_js() -> FileResponse:
    """The widget script that NSO sites embed with one ``<script>`` tag."""
    return FileResponse(
        WIDGET_DIR / "widget.js", media_type="application/javascript; charset=utf-8", headers=CACHE
    )


@router.get("/widget.css", response_class=FileResponse, include_in_schema=False)
def widget_css() -> FileResponse:
    """The widget's stylesheet, loaded by widget.js into its shadow root."""
    return FileResponse(WIDGET_DIR / "widget.css", media_type="text/css; charset=utf-8", headers=CACHE)


@router.get("/demo", response_class=HTMLResponse, include_in_schema=False)
def demo(
    request: Request,
    lang: Annotated[Literal["en", "nl", "sl"], Query(description="Widget language (data-lang)")] = "en",
) -> HTMLResponse:
    """A fictional NSO page with the widget embedded, as an NSO would paste it."""
    return templates.TemplateResponse(request, "demo.html", {"lang": lang})
