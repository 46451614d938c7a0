"""Rasa action endpoint served by the API process (one process holds encoder, index and rules).

Speaks rasa-sdk's protocol (POST /webhook) with its status codes: 400 when a form rejects
the message, 404 for an unknown action, 449 when the domain must be sent; 403 without the
token that Rasa sends (``action_endpoint.token`` in endpoints.yml, NSO_ACTION_TOKEN). The errors
are problem documents like everywhere else, with rasa-sdk's own ``error`` and ``action_name`` as
extension members: Rasa reads those.
"""

from __future__ import annotations

import asyncio
import hmac
import threading
from functools import lru_cache
from typing import Annotated, Any

from anyio import to_thread
from fastapi import APIRouter, Body, Query
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, Field, ValidationError
from rasa_sdk.executor import ActionExecutor
from rasa_sdk.interfaces import (
    ActionExecutionRejection,
    ActionMissingDomainException,
    ActionNotFoundException,
)

from bot import errors
from bot.deps import SettingsDep
from settings import action_token

router = APIRouter(tags=["rasa actions"])
DOMAIN_NEEDED = "Retry With (send the domain)"  # 449 has no standard phrase


def _sdk_error(status: int, message: str, action_name: str | None) -> dict[str, object]:
    title = DOMAIN_NEEDED if status == 449 else None
    return errors.problem_body(status, message, title=title, error=message, action_name=action_name)


SDK_ERRORS = errors.responses(
    s400=("A form rejected the message", _sdk_error(400, "slot not filled", "validate_group_form")),
    s403=("Not Rasa: missing or wrong token", _sdk_error(403, "this endpoint is for the Rasa server", None)),
    s404=("Unknown action", _sdk_error(404, "No registered action found for name 'action_x'.", "action_x")),
    s449=("Rasa must send its domain", _sdk_error(449, "Domain context is missing.", "action_ask")),
)


class _TrackerSdk(BaseModel):
    """What the SDK's ``Tracker.from_dict`` reads without checking; the rest passes through."""

    model_config = ConfigDict(extra="allow")
    sender_id: str = Field(min_length=1)
    slots: dict[str, Any] = Field(default_factory=dict)
    latest_message: dict[str, Any] = Field(default_factory=dict)
    events: list[dict[str, Any]] = Field(default_factory=list)
    active_loop: dict[str, Any] = Field(default_factory=dict)


class ActionCallSdk(BaseModel):
    """The action call Rasa sends: which action, and the conversation it runs in."""

    model_config = ConfigDict(extra="allow")
    next_action: str = Field(min_length=1)
    tracker: _TrackerSdk
    domain: dict[str, Any] | None = None


def _with_defaults(action_call: dict[str, Any], checked: ActionCallSdk) -> dict[str, Any]:
    """The call as Rasa sent it, with the defaults the check gave to what it left out.

    A whole ``model_dump`` would copy every event of the tracker again on every action call;
    the check has already refused anything the SDK would crash on.
    """
    tracker = {**action_call["tracker"]}
    for name in ("slots", "latest_message", "events", "active_loop"):
        tracker.setdefault(name, getattr(checked.tracker, name))
    return {**action_call, "tracker": tracker, "domain": checked.domain}


def _unreadable(exc: ValidationError) -> JSONResponse:
    """422 for a call the SDK would crash on (a 500 before): a clear error, not a server fault."""
    fields = [
        {"field": ".".join(str(p) for p in e["loc"])[:120] or "body", "message": e["msg"]}
        for e in exc.errors()
    ]
    return errors.invalid(fields)


class ActionResultSdk(BaseModel):
    """rasa-sdk's answer: the events to apply and the responses to send."""

    events: list[dict[str, Any]]
    responses: list[dict[str, Any]]


def _refuse(status: int, message: str, action_name: str | None) -> JSONResponse:
    body = _sdk_error(status, message, action_name)
    return errors.ProblemResponse(body, status_code=status)


@lru_cache(maxsize=1)
def executor() -> ActionExecutor:
    """The executor with every action of the ``actions`` package registered."""
    ex = ActionExecutor()
    ex.register_package("actions")
    return ex


_thread_loops = threading.local()


def _run_in_thread(action_call: dict[str, Any]) -> Any:
    """Run the action on the event loop of the worker thread it runs in.

    The actions are ``async`` by the SDK's contract but their work is blocking (encoding the
    question, FAISS, SQLite): run on the server's loop, one encode would stall every request.
    Each worker thread keeps its loop: ``asyncio.run`` made and closed one per call (a socket
    pair, an executor shut down), a visible share of the API's CPU per message under load.
    """
    loop: asyncio.AbstractEventLoop | None = getattr(_thread_loops, "loop", None)
    if loop is None or loop.is_closed():
        loop = _thread_loops.loop = asyncio.new_event_loop()
    return loop.run_until_complete(executor().run(action_call))


@router.post("/webhook", response_model=ActionResultSdk | None, responses=SDK_ERRORS)
async def run_action(
    settings: SettingsDep,
    action_call: dict[str, Any] = Body(...),  # noqa: B008
    token: Annotated[str, Query(max_length=256, description="Rasa's action_endpoint token")] = "",
) -> JSONResponse:
    """Run one custom action for the Rasa server (only Rasa holds the token)."""
    if not hmac.compare_digest(token.encode(), action_token(settings).encode()):
        return _refuse(403, "forbidden: this endpoint is for the Rasa server", None)
    try:
        checked = ActionCallSdk.model_validate(action_call)
    except ValidationError as exc:
        return _unreadable(exc)
    call = _with_defaults(action_call, checked)
    try:
        result = await to_thread.run_sync(_run_in_thread, call)
    except ActionExecutionRejection as exc:
        return _refuse(400, exc.message, exc.action_name)
    except ActionNotFoundException as exc:
        return _refuse(404, exc.message, exc.action_name)
    except ActionMissingDomainException as exc:
        return _refuse(449, exc.message, exc.action_name)
    return JSONResponse(result.model_dump() if result else None)
