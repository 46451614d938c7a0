"""Liveness endpoint."""

from __future__ import annotations

from fastapi import APIRouter

from bot.deps import RetrieverDep
from bot.schemas import HealthPublic

router = APIRouter(tags=["health"])


@router.get("/health", response_model=HealthPublic)
def health(retriever: RetrieverDep) -> HealthPublic:
    """Report that the app is up and which KB it serves."""
    kb = retriever.kb
    return HealthPublic(status="ok", kb_digest=kb.digest, topics=len(kb.topics), entries=len(kb.entries))
