"""The FastAPI application: knowledge and rules API (more channels plug in here)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles

from bot import console, errors, metrics, security
from bot.channels import web as web_chat
from bot.console import i18n as console_languages
from bot.deps import admin_agent, check_csrf, current_agent, get_retriever
from bot.routes import actions, health, knowledge, rules, telegram, web
from conversation import changes
from conversation.rasa_client import RasaClient
from conversation.redact import install_log_redaction
from settings import get_settings, rasa_token


@asynccontextmanager
async def _lifespan(app: FastAPI) -> AsyncIterator[None]:
    settings = get_settings()
    # Load encoder, index and BM25 before the first request; time each question's ranking.
    metrics.time_retrieval(get_retriever(settings))
    console_languages.warm_up()  # compile the console's catalogues (bot/locale/)
    actions.executor()
    app.state.rasa = RasaClient(settings.rasa_url, settings.rasa_timeout, rasa_token(settings))
    yield
    await app.state.rasa.close()


def create_app() -> FastAPI:
    """Build the app; uvicorn runs it with ``--factory bot.main:create_app``."""
    app = FastAPI(
        title="NSO support assistant",
        description="eTwinning / ESEP helpdesk assistant API (English, Dutch, Slovenian).",
        version="0.1.0",
        lifespan=_lifespan,
    )
    errors.install(app)
    security.install(app, get_settings())
    metrics.install(app)  # outside the security middleware: it counts their 429s and 503s
    install_log_redaction()
    changes.register()  # console streams of every worker hear this worker's commits
    app.include_router(health.router)
    app.include_router(knowledge.router)
    app.include_router(rules.router)
    app.include_router(actions.router)
    app.include_router(web_chat.router)
    app.include_router(web.router)
    app.include_router(telegram.router)
    app.include_router(console.router)
    errors.document(
        app,
        signed_in=[current_agent],
        csrf=[check_csrf],
        refused=[admin_agent],
        rate_limited=security.LIMITED_PREFIXES,
        uncapped=security.UNCAPPED_PATHS,
    )
    # Outside /console: the console's scripts and styles are public, its pages and API are not.
    app.mount("/static/console", StaticFiles(directory=console.STATIC_DIR), name="console-static")
    return app
