"""Liveness (``/health``) and readiness (``/ready``) of the API and the parts it needs.

``/health`` answers 200 while this process serves, whatever Rasa does: the widget, console and
channels keep working when Rasa is down (the gateway tells the teacher and queues the message),
so a supervisor must not restart the API for it. ``/ready`` is for a load balancer: 503 while a
required part is down. Rasa's state comes from a short probe of its ``/status``, cached for
``PROBE_TTL`` seconds, so both endpoints stay cheap however often they are polled. The custom
actions are served by this process (``/webhook``), so they are up when it answers.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Literal

import httpx
from fastapi import APIRouter, Request
from pydantic import BaseModel

from bot import errors
from bot.deps import RetrieverDep, SettingsDep
from settings import Settings, rasa_token

router = APIRouter(tags=["health"])

PROBE_TIMEOUT = 1.0  # seconds: Rasa answers /status at once when it is up
PROBE_TTL = 2.0  # seconds a probe's result is reused
PartState = Literal["up", "down"]
Parts = dict[str, PartState]
NOT_READY = "not-ready"  # problem type slug of the 503 (bot.errors: RFC 9457 problem details)
RETRY_AFTER = 5  # seconds a balancer may wait before asking again


class HealthPublic(BaseModel):
    """Liveness, what is loaded, and the state of each part (``api``, ``actions``, ``rasa``)."""

    status: Literal["ok"]
    kb_digest: str
    topics: int
    entries: int
    parts: Parts


class ReadyPublic(BaseModel):
    """Every required part is up."""

    status: Literal["ready"]
    parts: Parts


@dataclass
class RasaProbe:
    """Rasa's last probed state, reused for ``PROBE_TTL`` seconds (one per app)."""

    state: PartState = "down"
    checked_at: float = float("-inf")

    async def check(self, settings: Settings) -> PartState:
        """Rasa's state: ``up`` when its ``/status`` (behind its token) answers 200 in time.

        Args:
            settings: Where Rasa is (``NSO_RASA_URL``) and its token.

        Returns:
            ``up`` or ``down`` (refused, timed out, or not yet loaded a model).
        """
        now = time.monotonic()
        if now - self.checked_at < PROBE_TTL:
            return self.state
        try:
            async with httpx.AsyncClient(timeout=PROBE_TIMEOUT) as client:
                response = await client.get(
                    f"{settings.rasa_url.rstrip('/')}/status", params={"token": rasa_token(settings)}
                )
            self.state = "up" if response.status_code == 200 else "down"
        except httpx.HTTPError:
            self.state = "down"
        self.checked_at = time.monotonic()
        return self.state


async def parts(request: Request, settings: Settings) -> Parts:
    """The state of each part this API needs (the actions run in this process)."""
    probe: RasaProbe | None = getattr(request.app.state, "rasa_probe", None)
    if probe is None:
        probe = request.app.state.rasa_probe = RasaProbe()
    return {"api": "up", "actions": "up", "rasa": await probe.check(settings)}


NOT_READY_EXAMPLE = errors.problem_body(
    503,
    "down: rasa",
    kind=NOT_READY,
    title="Not ready",
    parts={"api": "up", "actions": "up", "rasa": "down"},
)


@router.get("/health", response_model=HealthPublic)
async def health(request: Request, retriever: RetrieverDep, settings: SettingsDep) -> HealthPublic:
    """Report that the app is up (always 200), which KB it serves, and each part's state."""
    kb = retriever.kb
    return HealthPublic(
        status="ok",
        kb_digest=kb.digest,
        topics=len(kb.topics),
        entries=len(kb.entries),
        parts=await parts(request, settings),
    )


@router.get(
    "/ready",
    response_model=ReadyPublic,
    responses=errors.responses(
        s503=("A required part is down: the problem's `parts` says which", NOT_READY_EXAMPLE)
    ),
)
async def ready(request: Request, settings: SettingsDep) -> ReadyPublic | errors.ProblemResponse:
    """Readiness for a load balancer: 200 when every part is up, else 503 naming those down."""
    states = await parts(request, settings)
    down = [name for name, state in states.items() if state != "up"]
    if not down:
        return ReadyPublic(status="ready", parts=states)
    return errors.problem(
        503,
        f"down: {', '.join(down)}",
        kind=NOT_READY,
        title="Not ready",
        headers={"Retry-After": str(RETRY_AFTER)},
        parts=states,
    )
