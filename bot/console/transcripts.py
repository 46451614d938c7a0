"""Every conversation for agents: the searchable transcripts page and its CSV export.

Both read the same :class:`~bot.schemas.TranscriptQuery`, so the export holds exactly what the
page's filters show (all pages of it).
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, StreamingResponse

from bot.console.common import ConsoleRoute, render_page
from bot.deps import CurrentAgent, SettingsDep
from bot.schemas import TranscriptQuery
from conversation import transcripts
from conversation.clock import utcnow

router = APIRouter(route_class=ConsoleRoute)


@router.get("/transcripts", response_class=HTMLResponse, include_in_schema=False)
def transcripts_page(
    request: Request,
    settings: SettingsDep,
    agent: CurrentAgent,
    query: Annotated[TranscriptQuery, Query()],
) -> HTMLResponse:
    """Every conversation, searchable by text, date, language, channel, outcome and feedback."""
    found = transcripts.transcripts(settings, query)
    params = query.model_dump(exclude={"page"}, exclude_none=True, exclude_defaults=True)
    return render_page(
        request,
        "transcripts.html",
        agent=agent,
        query=query,
        found=found,
        params=params,
        done=request.query_params.get("done"),  # set by the conversation page after an erasure
        page="transcripts",
    )


@router.get("/transcripts.csv", include_in_schema=False)
def transcripts_csv(
    settings: SettingsDep, _agent: CurrentAgent, query: Annotated[TranscriptQuery, Query()]
) -> StreamingResponse:
    """The matching conversations, one row per message (all pages)."""
    name = f"transcripts-{utcnow():%Y%m%d-%H%M}.csv"
    return StreamingResponse(
        transcripts.transcripts_csv(settings, query),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )
