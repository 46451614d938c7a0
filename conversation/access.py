"""Who may read or write a web conversation: the holder of the token the server issued with it.

A web conversation id is issued by the server (``web-`` + 16 random bytes) together with a token,
an HMAC of the id under the application's secret key. The widget keeps both; every chat request
names the id and shows the token, which is checked in constant time. Nothing is stored: a lost
token cannot be recovered, and no request can reach a conversation of another channel (Telegram
ids start with ``tg-`` and have no web token), so those look exactly like unknown ids.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import os
import secrets
import time
from functools import lru_cache
from pathlib import Path

from conversation.db import session_scope
from conversation.models import Conversation
from settings import PLACEHOLDER, ROOT, Settings

log = logging.getLogger(__name__)

WEB_PREFIX = "web-"
KEY_FILE = ROOT / "var" / "secret_key"


def new_web_conversation(settings: Settings) -> tuple[str, str]:
    """A fresh web conversation id and its access token."""
    conversation_id = WEB_PREFIX + secrets.token_urlsafe(16)
    return conversation_id, web_token(settings, conversation_id)


def web_token(settings: Settings, conversation_id: str) -> str:
    """The access token of a web conversation id (deterministic, so nothing is stored)."""
    digest = hmac.new(_key(settings), b"web-conversation:" + conversation_id.encode(), hashlib.sha256)
    return digest.hexdigest()


def may_access(settings: Settings, conversation_id: str, token: str | None) -> bool:
    """Whether ``token`` opens the web conversation ``conversation_id`` (constant-time compare)."""
    if not token or not conversation_id.startswith(WEB_PREFIX):
        return False
    return hmac.compare_digest(web_token(settings, conversation_id), token)


def is_known(settings: Settings, conversation_id: str, channel: str) -> bool:
    """Whether the conversation exists on ``channel`` (an erased one no longer does)."""
    with session_scope(settings.database_url) as session:
        conv = session.get(Conversation, conversation_id)
        return conv is not None and conv.channel == channel


def _key(settings: Settings) -> bytes:
    if settings.secret_key != PLACEHOLDER:
        return settings.secret_key.encode()
    return _local_key(KEY_FILE)


@lru_cache(maxsize=2)
def _local_key(path: Path) -> bytes:
    """A random key kept in var/ for local runs without NSO_SECRET_KEY (never the placeholder:
    anyone who read the source could forge tokens with it). Created once, shared by workers."""
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        pass
    else:
        with os.fdopen(fd, "w") as handle:
            handle.write(secrets.token_hex(32))
        log.info("access: generated a local secret key in %s", path)
    for _ in range(50):  # another worker may have created the file and not written it yet
        key = path.read_text().strip()
        if key:
            return key.encode()
        time.sleep(0.02)
    raise RuntimeError(f"{path} is empty: delete it or set NSO_SECRET_KEY")
