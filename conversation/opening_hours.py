"""The helpdesk's opening hours told to users at handoff: set by an admin, else the env default."""

from __future__ import annotations

import logging

from sqlalchemy.exc import SQLAlchemyError

from conversation.db import session_scope
from conversation.models import AppSetting
from settings import Settings

log = logging.getLogger(__name__)
KEY = "opening_hours"


def opening_hours(settings: Settings) -> str:
    """The opening hours an admin set in the console, or ``NSO_OPENING_HOURS``.

    A database error falls back to the default: the handoff reply must still go out.
    """
    try:
        with session_scope(settings.database_url) as session:
            row = session.get(AppSetting, KEY)
            return row.value if row is not None else settings.opening_hours
    except SQLAlchemyError:
        log.warning("opening hours: database unavailable, using the configured default", exc_info=True)
        return settings.opening_hours


def set_opening_hours(settings: Settings, value: str, agent_id: int | None) -> str:
    """Store new opening hours; an empty value restores the configured default.

    Returns:
        The opening hours now in effect.
    """
    value = " ".join(value.split())
    with session_scope(settings.database_url) as session:
        row = session.get(AppSetting, KEY)
        if not value:
            if row is not None:
                session.delete(row)
            return settings.opening_hours
        if row is None:
            session.add(AppSetting(key=KEY, value=value, updated_by=agent_id))
        else:
            row.value, row.updated_by = value, agent_id
    return value
