"""The ``nso`` command (also ``python -m bot``): serve | telegram | users | privacy | messages |
backup | restore, and ``kb`` for the knowledge base's own commands (validate, conflicts, build-index).

Installed by set-up as the project's console script, so an administrator types ``nso users add``
rather than remembering which package holds which command."""

from __future__ import annotations

import argparse
import asyncio
import logging
import re
import sys
from collections.abc import Callable, Sequence

from telegram import Bot, BotCommand
from telegram.error import TelegramError

from bot.backup_cli import register as register_backup
from bot.channels.telegram import (
    ALLOWED_UPDATES,
    EMAIL_COMMAND,
    END_COMMAND,
    GREET_COMMANDS,
    LANGUAGE_COMMAND,
    TelegramChannel,
    TelegramNotConfiguredError,
    make_bot,
    poll,
    redact_token,
)
from bot.messages_cli import register as register_messages
from bot.privacy_cli import register as register_privacy
from bot.serve_cli import register as register_serve
from bot.users_cli import register as register_users
from conversation.rasa_client import RasaClient
from conversation.texts import system_text
from settings import Settings, get_settings, rasa_token

WEBHOOK_PATH = "/channels/telegram"
SECRET_TOKEN = re.compile(r"^[A-Za-z0-9_-]{1,256}$")  # what Telegram accepts as secret_token


MENU = (
    (GREET_COMMANDS[0], "start"),
    (LANGUAGE_COMMAND, "language"),
    (EMAIL_COMMAND, "email"),
    (END_COMMAND, "end"),
)
"""Telegram's command menu: each command and the key of its description in conversation/texts.yml."""


async def register_commands(bot: Bot, settings: Settings) -> None:
    """Show the commands in Telegram's menu, described in the teacher's app language (en default)."""
    for lang, code in (("en", None), ("nl", "nl"), ("sl", "sl")):
        commands = [
            BotCommand(command.lstrip("/"), system_text(f"telegram_command_{key}", lang, settings))
            for command, key in MENU
        ]
        await bot.set_my_commands(commands, language_code=code)


async def set_webhook(settings: Settings) -> str:
    """Register ``NSO_PUBLIC_URL/channels/telegram`` with Telegram, with the webhook secret.

    Returns:
        The registered URL.

    Raises:
        ValueError: NSO_PUBLIC_URL or NSO_TELEGRAM_WEBHOOK_SECRET is missing or invalid.
    """
    secret = settings.telegram_webhook_secret.get_secret_value()
    if not settings.public_url:
        raise ValueError("NSO_PUBLIC_URL is not set (the https address Telegram can reach)")
    if not SECRET_TOKEN.match(secret):
        raise ValueError("NSO_TELEGRAM_WEBHOOK_SECRET must be 1-256 characters of A-Z, a-z, 0-9, _ and -")
    url = settings.public_url.rstrip("/") + WEBHOOK_PATH
    async with make_bot(settings) as bot:
        await bot.set_webhook(url, secret_token=secret, allowed_updates=ALLOWED_UPDATES)
        await register_commands(bot, settings)
    return url


async def run_polling(settings: Settings, timeout: int = 30, batches: int | None = None) -> None:
    """Answer updates fetched with getUpdates (no public URL needed); runs until interrupted."""
    rasa = RasaClient(settings.rasa_url, settings.rasa_timeout, rasa_token(settings))
    try:
        async with make_bot(settings) as bot:
            await register_commands(bot, settings)
            await poll(TelegramChannel(settings, rasa, bot), timeout=timeout, batches=batches)
    finally:
        await rasa.close()


def _set_webhook(_args: argparse.Namespace) -> int:
    url = asyncio.run(set_webhook(get_settings()))
    print(f"webhook set: {url}")
    return 0


def _poll(args: argparse.Namespace) -> int:
    settings = get_settings()
    logging.getLogger(__name__).info("polling Telegram; Rasa at %s", settings.rasa_url)
    asyncio.run(run_polling(settings, timeout=args.timeout))
    return 0


def _knowledge(args: argparse.Namespace) -> int:
    from knowledge.__main__ import main as knowledge_main

    return knowledge_main(args.arguments)


def parser() -> argparse.ArgumentParser:
    """The argument parser: one subcommand group per area (telegram, ...)."""
    root = argparse.ArgumentParser(prog="nso", description=__doc__)
    areas = root.add_subparsers(dest="area", required=True)
    telegram = areas.add_parser("telegram", help="Telegram channel set-up and polling mode")
    commands = telegram.add_subparsers(dest="command", required=True)
    commands.add_parser(
        "set-webhook", help="register NSO_PUBLIC_URL/channels/telegram and the secret with Telegram"
    ).set_defaults(run=_set_webhook)
    polling = commands.add_parser("poll", help="answer updates with getUpdates (no public URL needed)")
    polling.add_argument("--timeout", type=int, default=30, help="long-polling timeout in seconds")
    polling.set_defaults(run=_poll)
    register_serve(areas)
    register_users(areas)
    register_privacy(areas)
    register_messages(areas)
    register_backup(areas)
    kb = areas.add_parser("kb", help="knowledge base: validate | conflicts | build-index (nso kb -h)")
    kb.add_argument("arguments", nargs=argparse.REMAINDER, help="passed to python -m knowledge")
    kb.set_defaults(run=_knowledge)
    return root


def main(argv: Sequence[str] | None = None) -> int:
    """Run a command; returns the exit status."""
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    logging.getLogger("httpx").setLevel(logging.WARNING)  # its INFO lines contain the bot token
    args = parser().parse_args(argv)
    run: Callable[[argparse.Namespace], int] = args.run
    try:
        return run(args)
    except (ValueError, TelegramNotConfiguredError, TelegramError) as exc:
        print(f"error: {redact_token(str(exc))}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 0


if __name__ == "__main__":
    sys.exit(main())
