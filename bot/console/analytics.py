"""The analytics data behind the console's analytics page (drawn there by analytics.js).

Separate from the page so the numbers can be fetched, and tested, as plain JSON; the helpdesk's
own figures (per agent and per week) also come as a CSV file for a spreadsheet.
"""

from __future__ import annotations

import csv
import io
from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response

from bot.console import i18n
from bot.console.common import ConsoleRoute
from bot.deps import CurrentAgent, RetrieverDep, SettingsDep
from bot.schemas import AnalyticsPublic, HelpdeskFiguresPublic, HelpdeskStatsPublic
from conversation import analytics
from conversation.agent_stats import helpdesk_stats
from conversation.clock import utcnow

router = APIRouter(route_class=ConsoleRoute)
Days = Annotated[int, Query(ge=1, le=365)]


@router.get("/api/analytics", response_model=AnalyticsPublic)
def read_analytics(
    settings: SettingsDep, retriever: RetrieverDep, _agent: CurrentAgent, days: Days = 30
) -> AnalyticsPublic:
    """Volume, feedback, handoff rate and missed-question clusters with KB drafts."""
    return analytics.analytics(settings, retriever, days)


@router.get("/api/analytics/helpdesk", response_model=HelpdeskStatsPublic)
def read_helpdesk_stats(settings: SettingsDep, _agent: CurrentAgent, days: Days = 30) -> HelpdeskStatsPublic:
    """First-response time, time to close and rating of the period's handoffs, per agent and per week."""
    return helpdesk_stats(settings, days)


def _csv_rows(stats: HelpdeskStatsPublic) -> list[list[object]]:
    """The figures as spreadsheet rows: headers in the active language, times in whole seconds."""
    _ = i18n.gettext

    def seconds(value: float | None) -> object:
        return "" if value is None else round(value)

    def row(breakdown: str, f: HelpdeskFiguresPublic) -> list[object]:
        return [
            breakdown,
            f.label,
            f.week_start.isoformat() if f.week_start else "",
            f.handoffs,
            f.answered,
            seconds(f.first_response_median),
            seconds(f.first_response_mean),
            f.closed,
            seconds(f.time_to_close_median),
            seconds(f.time_to_close_mean),
            f.ratings,
            f.satisfied,
            "" if f.satisfaction is None else round(f.satisfaction * 100),
        ]

    header: list[object] = [
        _("Breakdown"),
        _("Agent or week"),
        _("Week starting"),
        _("Handoffs"),
        _("Answered by an agent"),
        _("First response, median (seconds)"),
        _("First response, mean (seconds)"),
        _("Closed"),
        _("Time to close, median (seconds)"),
        _("Time to close, mean (seconds)"),
        _("Ratings"),
        _("Satisfied"),
        _("Satisfied (%)"),
    ]
    return [
        header,
        row(_("All"), stats.total),
        *(row(_("Agent"), f) for f in stats.per_agent),
        *(row(_("Week"), f) for f in stats.per_week),
    ]


@router.get("/analytics/helpdesk.csv", include_in_schema=False)
def helpdesk_csv(request: Request, settings: SettingsDep, _agent: CurrentAgent, days: Days = 30) -> Response:
    """The per-agent and per-week figures as CSV (UTF-8 with BOM, so spreadsheets read the accents)."""
    out = io.StringIO()
    with i18n.speaking(i18n.request_language(request)):
        csv.writer(out).writerows(_csv_rows(helpdesk_stats(settings, days)))
    name = f"helpdesk-{days}d-{utcnow():%Y%m%d-%H%M}.csv"
    return Response(
        "\ufeff" + out.getvalue(),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )
