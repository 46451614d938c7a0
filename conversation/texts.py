"""The user-facing system texts of the conversation (conversation/texts.yml), in EN/NL/SL.

They are what the gateway and the helpdesk say themselves, without Rasa: the assistant is
unavailable, an agent joined, the conversation went back to the assistant or was closed.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import yaml

from conversation.opening_hours import opening_hours
from settings import Settings

MESSAGES_FILE = Path(__file__).resolve().parent / "texts.yml"


@lru_cache(maxsize=1)
def _texts() -> dict[str, dict[str, str]]:
    data: dict[str, dict[str, str]] = yaml.safe_load(MESSAGES_FILE.read_text(encoding="utf-8"))
    return data


def system_text(key: str, lang: str, settings: Settings, **values: str) -> str:
    """A gateway message in ``lang`` (texts in conversation/texts.yml); ``values`` fill its fields."""
    return _texts()[key][lang].format(hours=opening_hours(settings), **values)
