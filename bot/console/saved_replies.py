"""The saved replies an agent can insert on the conversation page (``/shortcut`` then Tab)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query
from pydantic import BaseModel

from bot.console.common import ConsoleRoute
from bot.deps import CurrentAgent, SettingsDep
from bot.schemas import Lang
from conversation.saved_replies import list_saved_replies

router = APIRouter(route_class=ConsoleRoute)


class SavedReplyPublic(BaseModel):
    """One saved reply: its shortcut and the text it inserts."""

    id: int
    language: str
    shortcut: str
    text: str


@router.get("/api/saved-replies", response_model=list[SavedReplyPublic])
def read_saved_replies(
    settings: SettingsDep,
    _agent: CurrentAgent,
    language: Annotated[Lang | None, Query(description="en | nl | sl; every language without it")] = None,
) -> list[SavedReplyPublic]:
    """The saved replies in ``language`` (all languages without it), by shortcut."""
    return [
        SavedReplyPublic(id=r.id, language=r.language, shortcut=r.shortcut, text=r.text)
        for r in list_saved_replies(settings, language)
    ]
