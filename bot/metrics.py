"""``GET /metrics`` in Prometheus' text format, for Prometheus only (``NSO_METRICS_TOKEN``).

Without a configured token the route answers 404, as if it did not exist; with one, a request
without ``Authorization: Bearer <token>`` gets 401. The reverse proxy (deploy/) does not pass
``/metrics`` on either: Prometheus scrapes the API on its loopback or private address.

Besides the conversation layer's metrics (:mod:`conversation.metrics`) this module times the
action endpoint (``/webhook``) and retrieval, and counts requests refused with 429 or 503.
"""

from __future__ import annotations

import hmac
import os
import time
from pathlib import Path
from typing import Annotated

from fastapi import APIRouter, FastAPI, Header, HTTPException, Response
from prometheus_client import CONTENT_TYPE_LATEST, REGISTRY, CollectorRegistry, generate_latest
from prometheus_client.multiprocess import MultiProcessCollector
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from bot.deps import SettingsDep
from conversation.metrics import REFUSED, STAGE_SECONDS, HandoffsWaiting
from knowledge.retrieve import Retriever

ACTION_PATH = "/webhook"
# prometheus-client's own switch: set, every process writes its values to files in that folder.
MULTIPROC_ENV = "PROMETHEUS_MULTIPROC_DIR"

router = APIRouter(tags=["operations"], include_in_schema=False)


@router.get("/metrics")
def metrics(settings: SettingsDep, authorization: Annotated[str, Header()] = "") -> Response:
    """The metrics of every worker, for a Prometheus that sends the configured bearer token.

    Raises:
        HTTPException: 404 when NSO_METRICS_TOKEN is not set; 401 without the right token.
    """
    token = settings.metrics_token.get_secret_value()
    if not token:
        raise HTTPException(status_code=404, detail="Not Found")
    scheme, _, sent = authorization.partition(" ")
    if scheme.lower() != "bearer" or not hmac.compare_digest(sent.strip().encode(), token.encode()):
        raise HTTPException(
            status_code=401, detail="a bearer token is required", headers={"WWW-Authenticate": "Bearer"}
        )
    scraped = CollectorRegistry()
    scraped.register(HandoffsWaiting(settings.database_url))
    if directory := os.environ.get(MULTIPROC_ENV):
        MultiProcessCollector(scraped, path=directory)  # type: ignore[no-untyped-call]  # all workers
        body = generate_latest(scraped)
    else:
        body = generate_latest(REGISTRY) + generate_latest(scraped)
    return Response(body, media_type=CONTENT_TYPE_LATEST)


def _area(path: str) -> str:
    if path.startswith("/api/"):
        return "api"
    if path.startswith("/console/login"):
        return "login"
    return "other"


class RequestMetrics:
    """ASGI middleware: times Rasa's calls to the action endpoint; counts 429 and 503 answers.

    Installed outermost, so it sees the refusals of the rate limits and the concurrency cap.
    """

    def __init__(self, app: ASGIApp) -> None:
        """Wrap ``app``."""
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Pass the request on, watching its status."""
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        path: str = scope["path"]

        async def watched(message: Message) -> None:
            if message["type"] == "http.response.start" and message["status"] in (429, 503):
                REFUSED.labels(status=str(message["status"]), area=_area(path)).inc()
            await send(message)

        start = time.perf_counter()
        try:
            await self.app(scope, receive, watched)
        finally:
            if path == ACTION_PATH:
                STAGE_SECONDS.labels(stage="action").observe(time.perf_counter() - start)


def _observe_retrieval(seconds: float) -> None:
    STAGE_SECONDS.labels(stage="retrieval").observe(seconds)


def time_retrieval(retriever: Retriever) -> Retriever:
    """Time the process's retriever's ranking (what every question costs), once per instance.

    The retriever is shared by ``/api/ask`` and the FAQ action; knowledge stays free of metrics
    (it calls the observer it is given).

    Args:
        retriever: The warmed-up retriever of this process.

    Returns:
        The same retriever.
    """
    retriever.observe_ranking(_observe_retrieval)
    return retriever


def install(app: FastAPI) -> None:
    """Add ``/metrics`` and the request metrics to ``app`` (call after the security middleware)."""
    app.include_router(router)
    app.add_middleware(RequestMetrics)


def prepare_workers(workers: int, directory: Path) -> None:
    """Before uvicorn starts ``workers`` > 1 processes: give them an empty multiprocess folder.

    Stale files of an earlier run would add old counts; a folder set by the administrator
    (``PROMETHEUS_MULTIPROC_DIR``) is used as it is.

    Args:
        workers: NSO_WORKERS.
        directory: NSO_METRICS_DIR, the default folder.
    """
    if workers <= 1 or os.environ.get(MULTIPROC_ENV):
        return
    directory.mkdir(parents=True, exist_ok=True)
    for stale in directory.glob("*.db"):
        stale.unlink()
    os.environ[MULTIPROC_ENV] = str(directory)
