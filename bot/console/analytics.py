"""The analytics data behind the console's analytics page (drawn there by analytics.js).

Separate from the page so the numbers can be fetched, and tested, as plain JSON.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from bot.console.common import ConsoleRoute
from bot.deps import CurrentAgent, RetrieverDep, SettingsDep
from bot.schemas import AnalyticsPublic
from conversation import analytics

router = APIRouter(route_class=ConsoleRoute)


@router.get("/api/analytics", response_model=AnalyticsPublic)
def read_analytics(
    settings: SettingsDep,
    retriever: RetrieverDep,
    _agent: CurrentAgent,
    days: Annotated[int, Query(ge=1, le=365)] = 30,
) -> AnalyticsPublic:
    """Volume, feedback, handoff rate and missed-question clusters with KB drafts."""
    return analytics.analytics(settings, retriever, days)
