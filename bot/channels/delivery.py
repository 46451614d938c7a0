"""Delivery of agent and system messages to channels that do not poll (Telegram)."""

from __future__ import annotations

import logging

from settings import Settings

log = logging.getLogger(__name__)


async def deliver(settings: Settings, channel: str, conversation_id: str, text: str) -> bool:
    """Send a stored agent/system message to channels that do not poll (Telegram).

    Returns:
        False when it could not be delivered (logged; the message stays stored).
    """
    if channel != "telegram":
        return True  # the web widget polls for new messages
    try:
        from telegram.error import TelegramError

        from bot.channels.telegram import TelegramNotConfiguredError, send_agent_message
    except ImportError:
        log.warning("console: the Telegram channel is not installed; %s not delivered", conversation_id)
        return False
    try:
        await send_agent_message(settings, conversation_id, text)
    except (TelegramError, TelegramNotConfiguredError, ValueError) as exc:
        log.warning("console: Telegram delivery to %s failed: %s", conversation_id, type(exc).__name__)
        return False
    return True
