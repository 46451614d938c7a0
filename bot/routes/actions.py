"""Rasa action endpoint served by the API process (one process holds encoder, index and rules).

Speaks rasa-sdk's protocol (POST /webhook) with its status codes: 400 when a form rejects
the message, 404 for an unknown action, 449 when the domain must be sent; 403 without the
token that Rasa sends (``action_endpoint.token`` in endpoints.yml, NSO_ACTION_TOKEN).
"""

from __future__ import annotations

import asyncio
import hmac
from functools import lru_cache
from typing import Annotated, Any

from anyio import to_thread
from fastapi import APIRouter, Body, Query
from fastapi.responses import JSONResponse
from rasa_sdk.executor import ActionExecutor
from rasa_sdk.interfaces import (
    ActionExecutionRejection,
    ActionMissingDomainException,
    ActionNotFoundException,
)

from bot.deps import SettingsDep
from settings import action_token

router = APIRouter(tags=["rasa actions"])


@lru_cache(maxsize=1)
def executor() -> ActionExecutor:
    """The executor with every action of the ``actions`` package registered."""
    ex = ActionExecutor()
    ex.register_package("actions")
    return ex


def _run_in_thread(action_call: dict[str, Any]) -> Any:
    """Run the action on its own event loop in a worker thread.

    The actions are ``async`` by the SDK's contract but their work is blocking (encoding the
    question, FAISS, SQLite): run on the server's loop, one encode would stall every request.
    """
    return asyncio.run(executor().run(action_call))


@router.post("/webhook", response_model=None)
async def run_action(
    settings: SettingsDep,
    action_call: dict[str, Any] = Body(...),  # noqa: B008
    token: Annotated[str, Query(max_length=256, description="Rasa's action_endpoint token")] = "",
) -> JSONResponse:
    """Run one custom action for the Rasa server (only Rasa holds the token)."""
    if not hmac.compare_digest(token.encode(), action_token(settings).encode()):
        return JSONResponse({"error": "forbidden: this endpoint is for the Rasa server"}, status_code=403)
    try:
        result = await to_thread.run_sync(_run_in_thread, action_call)
    except ActionExecutionRejection as exc:
        return JSONResponse({"error": exc.message, "action_name": exc.action_name}, status_code=400)
    except ActionNotFoundException as exc:
        return JSONResponse({"error": exc.message, "action_name": exc.action_name}, status_code=404)
    except ActionMissingDomainException as exc:
        return JSONResponse({"error": exc.message, "action_name": exc.action_name}, status_code=449)
    return JSONResponse(result.model_dump() if result else None)
