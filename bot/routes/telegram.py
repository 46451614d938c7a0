"""Telegram webhook: the Bot API posts updates here (set up with ``python -m bot telegram set-webhook``)."""

from __future__ import annotations

import hmac
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Annotated

from fastapi import APIRouter, BackgroundTasks, FastAPI, Header, HTTPException, Request, Response

from bot import errors
from bot.channels.telegram import TelegramChannel
from bot.deps import SettingsDep
from conversation.rasa_client import RasaClient

SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"


@asynccontextmanager
async def _lifespan(app: FastAPI) -> AsyncIterator[None]:
    yield
    channel: TelegramChannel | None = getattr(app.state, "telegram", None)
    if channel is not None:
        await channel.close()


router = APIRouter(prefix="/channels", tags=["channels"], lifespan=_lifespan)
WEBHOOK_ERRORS = errors.responses(
    s400=("The body is not JSON", errors.problem_body(400, "the body is not JSON")),
    s403=("Missing or wrong secret token", errors.problem_body(403, "missing or wrong secret token")),
    s404=(
        "The channel is not configured",
        errors.problem_body(404, "the Telegram channel is not configured"),
    ),
    s503=(
        "The webhook secret is not set",
        errors.problem_body(503, "NSO_TELEGRAM_WEBHOOK_SECRET is not set"),
    ),
)
# A missing secret is set-up, not load: no Retry-After (the cap's and the database's 503s have one).
WEBHOOK_ERRORS[503]["headers"]["Retry-After"]["required"] = False


def _channel(request: Request, settings: SettingsDep) -> TelegramChannel:
    """The app's channel, made on the first update (the Bot's connections close at shutdown)."""
    channel: TelegramChannel | None = getattr(request.app.state, "telegram", None)
    if channel is None:
        rasa: RasaClient = request.app.state.rasa
        channel = request.app.state.telegram = TelegramChannel(settings, rasa)
    return channel


@router.post(
    "/telegram",
    status_code=200,
    response_class=Response,
    responses=WEBHOOK_ERRORS,
)
async def telegram_webhook(
    request: Request,
    settings: SettingsDep,
    background: BackgroundTasks,
    secret: Annotated[str | None, Header(alias=SECRET_HEADER)] = None,
) -> Response:
    """Accept one update from Telegram and answer it after the response.

    Telegram only needs to know the update arrived: it is acknowledged at once (even when it is
    of a kind the assistant ignores) and answered in the background, in order per chat.
    """
    if not settings.telegram_bot_token.get_secret_value():
        raise HTTPException(status_code=404, detail="the Telegram channel is not configured")
    expected = settings.telegram_webhook_secret.get_secret_value()
    if not expected:
        raise HTTPException(status_code=503, detail="NSO_TELEGRAM_WEBHOOK_SECRET is not set")
    if secret is None or not hmac.compare_digest(secret.encode(), expected.encode()):
        raise HTTPException(status_code=403, detail="missing or wrong secret token")
    try:
        data = await request.json()
    except ValueError as exc:
        raise HTTPException(status_code=400, detail="the body is not JSON") from exc
    channel = _channel(request, settings)
    update = channel.parse(data)
    if update is not None:
        background.add_task(channel.handle, update)
    return Response(status_code=200)
