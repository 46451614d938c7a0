"""``python -m bot serve``: the API (and the Rasa action endpoint) in ``NSO_WORKERS`` uvicorn processes."""

from __future__ import annotations

import argparse
from typing import Any

import uvicorn

from bot.logs import log_config
from bot.metrics import prepare_workers
from conversation.db import engine_for
from settings import get_settings


def _serve(args: argparse.Namespace) -> int:
    settings = get_settings()
    # Migrate once here, before the workers start, so they do not race for the schema.
    engine_for(settings.database_url)
    prepare_workers(settings.workers, settings.metrics_dir)  # before the workers import prometheus
    uvicorn.run(
        "bot.main:create_app",
        factory=True,
        host=args.host or settings.host,
        port=args.port or settings.port,
        workers=settings.workers,
        log_config=log_config(settings),
        # A worker loading the encoder holds the GIL for seconds: uvicorn's 5 s ping would kill it.
        timeout_worker_healthcheck=60,
        proxy_headers=True,  # client addresses (rate limits) from X-Forwarded-For of trusted proxies
    )
    return 0


def register(areas: Any) -> None:
    """Add ``serve`` to the CLI's subparsers ``areas``."""
    serve = areas.add_parser("serve", help="run the API in NSO_WORKERS processes")
    serve.add_argument("--host", default="", help="override NSO_HOST")
    serve.add_argument("--port", type=int, default=0, help="override NSO_PORT")
    serve.set_defaults(run=_serve)
