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
import secrets

from conversation.db import session_scope
from conversation.models import Conversation
from settings import PLACEHOLDER, Settings, local_secret

WEB_PREFIX = "web-"


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
    """NSO_SECRET_KEY, or for local runs a random key kept in var/ (never the placeholder:
    anyone who read the source could forge tokens with it)."""
    if settings.secret_key != PLACEHOLDER:
        return settings.secret_key.encode()
    return local_secret("secret_key").encode()
