"""FastAPI dependencies: settings and the process-wide retriever."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends

from bot.settings import Settings, get_settings
from knowledge.retrieve import Retriever
from knowledge.service import get_retriever as shared_retriever


def get_retriever(settings: Annotated[Settings, Depends(get_settings)]) -> Retriever:
    """The retriever shared with the Rasa actions, warmed up at app start-up."""
    return shared_retriever(settings)


SettingsDep = Annotated[Settings, Depends(get_settings)]
RetrieverDep = Annotated[Retriever, Depends(get_retriever)]
