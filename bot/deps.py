"""FastAPI dependencies: settings and the process-wide retriever."""

from __future__ import annotations

from functools import lru_cache
from typing import Annotated

from fastapi import Depends

from bot.settings import Settings, get_settings
from knowledge.retrieve import Retriever


@lru_cache(maxsize=2)
def _retriever_for(settings: Settings) -> Retriever:
    return Retriever(settings)


def get_retriever(settings: Annotated[Settings, Depends(get_settings)]) -> Retriever:
    """The retriever for these settings, created once and warmed up at app start-up."""
    retriever = _retriever_for(settings)
    retriever.warm_up()
    return retriever


SettingsDep = Annotated[Settings, Depends(get_settings)]
RetrieverDep = Annotated[Retriever, Depends(get_retriever)]
