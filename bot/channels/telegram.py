"""Telegram channel: Bot API updates in, gateway replies out (python-telegram-bot).

The webhook route (bot/routes/telegram.py) and polling mode (``python -m bot telegram poll``)
both hand updates to :class:`TelegramChannel`, which sends them through the same gateway as the
web widget, so every message is stored before and after Rasa. Texts are sent without
``parse_mode``: nothing a user, the bot or an agent writes is ever read as markup.

After a hand-off the teacher is told, in their language, how to leave an e-mail address
(``/email you@school.eu``) and how to end the chat (``/end`` or the End-chat button); an ended
chat asks for a 1-5 rating with buttons. What the chat's state is, and every change to it,
comes from :mod:`conversation`: this module only delivers.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import logging
import re
import weakref
from collections.abc import Sequence
from dataclasses import dataclass, field

from anyio import to_thread
from telegram import Bot, CallbackQuery, InlineKeyboardButton, InlineKeyboardMarkup, Message, Update
from telegram.constants import ChatType, InlineKeyboardButtonLimit, MessageLimit
from telegram.error import Forbidden, NetworkError, RetryAfter, TelegramError, TimedOut

from bot.schemas import MAX_TEXT
from conversation import live
from conversation.channel_state import ChatState, chat_state, stored_button
from conversation.contact import TELEGRAM_CONSENT_VERSION, InvalidEmailError, mail_transcript, save_contact
from conversation.rasa_client import RasaClient
from conversation.texts import system_text
from conversation.turns import OutMessage, process_message
from settings import Settings

log = logging.getLogger(__name__)

CHANNEL = "telegram"
CONVERSATION_PREFIX = "tg-"
ALLOWED_UPDATES = ("message", "callback_query")
# Language names as each language writes itself: labels of the /language keyboard, and the
# text stored for the user's choice.
LANGUAGE_NAMES = {"en": "English", "nl": "Nederlands", "sl": "Slovenščina"}
LANGUAGE_DATA = "lang:"  # callback data of the /language keyboard: lang:<code>
STORED_BUTTON_DATA = "btn:"  # btn:<message id>:<index> when a payload exceeds Telegram's 64 bytes
GREET_COMMANDS = ("/start", "/help")
LANGUAGE_COMMAND = "/language"
EMAIL_COMMAND = "/email"  # /email you@school.eu: mail the helpdesk's replies there
END_COMMAND = "/end"  # end the chat (as the End-chat button, callback data END_DATA)
END_DATA = "end"
RATE_DATA = "rate:"  # rate:<1-5>, the rating buttons of an ended chat
RATINGS = range(1, 6)
BUTTONS_ONLY_TEXT = "👇"  # Telegram needs text under a keyboard; Rasa sent buttons alone


class TelegramNotConfiguredError(RuntimeError):
    """NSO_TELEGRAM_BOT_TOKEN is empty."""


def make_bot(settings: Settings) -> Bot:
    """A Bot for the configured token and Bot API base URL (a local fake in tests).

    Raises:
        TelegramNotConfiguredError: No bot token is configured.
    """
    token = settings.telegram_bot_token.get_secret_value()
    if not token:
        raise TelegramNotConfiguredError("NSO_TELEGRAM_BOT_TOKEN is not set")
    return Bot(token, base_url=settings.telegram_api_url)


def conversation_id_for(chat_id: int) -> str:
    """The gateway conversation of a Telegram chat."""
    return f"{CONVERSATION_PREFIX}{chat_id}"


def chat_id_of(conversation_id: str) -> int:
    """The Telegram chat of a gateway conversation.

    Raises:
        ValueError: ``conversation_id`` is not a Telegram conversation.
    """
    if not conversation_id.startswith(CONVERSATION_PREFIX):
        raise ValueError(f"not a Telegram conversation: {conversation_id}")
    return int(conversation_id.removeprefix(CONVERSATION_PREFIX))


def language_of(code: str | None, supported: Sequence[str]) -> str | None:
    """The supported language of a Telegram ``language_code`` ("nl", "nl-BE"), else None."""
    base = (code or "").split("-", 1)[0].lower()
    return base if base in supported and base in LANGUAGE_NAMES else None


def intent_payload(intent: str, language: str | None = None) -> str:
    """A Rasa intent payload, with the ``language`` entity when the channel knows it."""
    return f"/{intent}{json.dumps({'language': language}) if language else ''}"


def text_chunks(text: str, size: int = MessageLimit.MAX_TEXT_LENGTH) -> list[str]:
    """``text`` cut into messages Telegram accepts, at line breaks where possible."""
    chunks: list[str] = []
    while len(text) > size:
        cut = text.rfind("\n", 0, size)
        cut = cut if cut > 0 else size
        chunks.append(text[:cut])
        text = text[cut:].lstrip("\n")
    if text.strip():
        chunks.append(text)
    return chunks


async def send_text(bot: Bot, chat_id: int, text: str, markup: InlineKeyboardMarkup | None = None) -> None:
    """Send ``text`` as plain text (no parse_mode), the keyboard under its last part."""
    chunks = text_chunks(text)
    for i, chunk in enumerate(chunks):
        await bot.send_message(chat_id, chunk, reply_markup=markup if i == len(chunks) - 1 else None)


async def send_agent_message(settings: Settings, conversation_id: str, text: str) -> None:
    """Send an agent's reply to a Telegram conversation (the helpdesk console calls this).

    The console stores the agent's message; this only delivers it.

    Raises:
        ValueError: ``conversation_id`` is not a Telegram conversation.
        TelegramNotConfiguredError: No bot token is configured.
        telegram.error.TelegramError: Telegram refused or could not be reached.
    """
    chat_id = chat_id_of(conversation_id)
    async with make_bot(settings) as bot:
        await send_text(bot, chat_id, text)


@dataclass
class _Outgoing:
    text: str
    rows: list[list[InlineKeyboardButton]] = field(default_factory=list)

    def markup(self) -> InlineKeyboardMarkup | None:
        return InlineKeyboardMarkup(self.rows) if self.rows else None


def _fits(payload: str) -> bool:
    return payload.startswith("/") and len(payload.encode()) <= InlineKeyboardButtonLimit.MAX_CALLBACK_DATA


def keyboard_rows(message: OutMessage) -> list[list[InlineKeyboardButton]]:
    """One inline button per row for the bot's buttons; callback data = payload or stored-button key."""
    rows: list[list[InlineKeyboardButton]] = []
    for index, button in enumerate(message.buttons):
        payload = str(button.get("payload") or "")
        title = str(button.get("title") or payload)
        if button.get("url"):
            rows.append([InlineKeyboardButton(title, url=str(button["url"]))])
        elif payload:
            data = payload if _fits(payload) else f"{STORED_BUTTON_DATA}{message.id}:{index}"
            rows.append([InlineKeyboardButton(title, callback_data=data)])
    return rows


def outgoing(messages: Sequence[OutMessage]) -> list[_Outgoing]:
    """The Telegram messages for the gateway's replies; buttons without text join the previous one."""
    out: list[_Outgoing] = []
    for message in messages:
        if message.role == "user":
            continue
        rows = keyboard_rows(message)
        if message.text.strip():
            out.append(_Outgoing(message.text, rows))
        elif rows and out:
            out[-1].rows.extend(rows)
        elif rows:
            out.append(_Outgoing(BUTTONS_ONLY_TEXT, rows))
    return out


def update_kind(update: Update) -> str:
    """The update's type for logs ("message", "edited_message", "callback_query", ...)."""
    return next((key for key in update.to_dict() if key != "update_id"), "unknown")


def _ref(chat_id: int | None) -> str:
    """A stable, non-reversible reference to a chat for logs."""
    return hashlib.sha256(str(chat_id).encode()).hexdigest()[:10] if chat_id is not None else "-"


_TOKEN = re.compile(r"\d{5,}:[A-Za-z0-9_-]{20,}")


def redact_token(text: str) -> str:
    """``text`` with anything shaped like a bot token replaced (PTB puts it in some errors)."""
    return _TOKEN.sub("<token>", text)


class _RedactFilter(logging.Filter):
    """Strips bot tokens and the values in ``record.redact`` (user text, names) from log records."""

    def filter(self, record: logging.LogRecord) -> bool:
        values = [v for v in getattr(record, "redact", ()) if v]

        def clean(text: str) -> str:
            for value in values:
                text = text.replace(value, "<redacted>")
            return redact_token(text)

        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = clean(record.exc_text)
        record.msg, record.args = clean(record.getMessage()), None
        return True


log.addFilter(_RedactFilter())


def _personal(update: Update) -> list[str]:
    """What in an update identifies or quotes the user (kept out of logs)."""
    user = update.effective_user
    message = update.effective_message
    values = [message.text or "" if message is not None else ""]
    if update.callback_query is not None:
        values.append(update.callback_query.data or "")
    if user is not None:
        values += [user.first_name, user.last_name or "", user.username or "", str(user.id)]
    if update.effective_chat is not None:
        values.append(str(update.effective_chat.id))
    return sorted((v for v in values if len(v) > 2), key=len, reverse=True)


class TelegramChannel:
    """Turns Telegram updates into gateway messages and the gateway's replies into Bot API calls.

    Args:
        settings: Application settings (token, API URL, languages, database).
        rasa: The Rasa client shared with the web channel.
        bot: The Bot to use (polling mode passes its own); built from ``settings`` otherwise.
    """

    def __init__(self, settings: Settings, rasa: RasaClient, bot: Bot | None = None) -> None:
        self.settings = settings
        self.rasa = rasa
        self.bot = bot or make_bot(settings)
        # One lock per chat while it is in use: the webhook acknowledges each update at once,
        # so this keeps two quick messages of one chat from being answered at the same time.
        self._locks: weakref.WeakValueDictionary[int, asyncio.Lock] = weakref.WeakValueDictionary()

    def parse(self, data: object) -> Update | None:
        """The Update in a webhook body, or None (logged) if it is not one."""
        try:
            if isinstance(data, dict):
                return Update.de_json(data, self.bot)
        except (KeyError, TypeError, ValueError) as exc:
            log.warning("telegram: unreadable update ignored: %s", type(exc).__name__)
            return None
        log.warning("telegram: webhook body is not an update object")
        return None

    async def close(self) -> None:
        """Close the Bot's HTTP connections."""
        await self.bot.shutdown()

    async def handle(self, update: Update) -> None:
        """Answer one update; unsupported kinds are logged and ignored. Never raises.

        This is the channel's one error handler: it logs with the traceback, with the bot token,
        the user's text and the user's names and ids redacted.
        """
        try:
            await self._dispatch(update)
        except Forbidden:
            log.info("telegram: chat %s blocked the bot", _ref(_chat_id(update)))
        except Exception as exc:  # noqa: BLE001 - a webhook task or the poll loop must survive any failure
            log.error(
                "telegram: update %s (%s, chat %s) failed",
                update.update_id,
                update_kind(update),
                _ref(_chat_id(update)),
                exc_info=exc,
                extra={"redact": _personal(update)},
            )

    async def _dispatch(self, update: Update) -> None:
        chat = update.effective_chat
        if chat is None or chat.type != ChatType.PRIVATE:
            log.info("telegram: ignored %s outside a private chat", update_kind(update))
        elif update.callback_query is not None:
            await self._on_callback(update.callback_query, chat.id)
        elif update.message is not None and update.message.text:
            await self._on_text(update.message, chat.id)
        else:
            log.info("telegram: ignored update %s (%s)", update.update_id, update_kind(update))

    async def _on_text(self, message: Message, chat_id: int) -> None:
        text = (message.text or "").strip()[:MAX_TEXT]
        command = text.split(maxsplit=1)[0].split("@", 1)[0].lower() if text.startswith("/") else None
        if command == LANGUAGE_COMMAND:
            await self._send_language_menu(chat_id)
            return
        user = message.from_user
        state = await self._state(chat_id)
        lang = language_of(user.language_code if user else None, self.settings.languages)
        if state is not None and command == EMAIL_COMMAND:
            await self._leave_email(chat_id, state, text.split(maxsplit=1)[1] if " " in text else "")
        elif state is not None and command == END_COMMAND:
            await self._end_chat(chat_id, state)
        else:
            lang = lang if state is None else None  # the first message only: later turns decide
            greet = command in GREET_COMMANDS or (state is None and command in (EMAIL_COMMAND, END_COMMAND))
            await self._converse(chat_id, text, intent_payload("greet", lang) if greet else None, lang)

    async def _on_callback(self, query: CallbackQuery, chat_id: int) -> None:
        try:
            await query.answer()  # first, so a slow answer does not leave the button spinning
        except TelegramError as exc:  # e.g. "query is too old": the press still counts
            log.info("telegram: answerCallbackQuery failed: %s", type(exc).__name__)
        data = query.data or ""
        if data.startswith(LANGUAGE_DATA):
            code = data.removeprefix(LANGUAGE_DATA)
            if code in LANGUAGE_NAMES and code in self.settings.languages:
                await self._converse(
                    chat_id, LANGUAGE_NAMES[code], intent_payload("change_language", code), code
                )
                return
        elif data.startswith(STORED_BUTTON_DATA):
            button = await to_thread.run_sync(self._stored_button, chat_id, data)
            if button is not None:
                await self._converse(chat_id, button[0], button[1], None)
                return
        elif data == END_DATA:
            state = await self._state(chat_id)
            if state is not None:
                await self._end_chat(chat_id, state)
                return
        elif data.startswith(RATE_DATA):
            if await self._rate_chat(chat_id, data.removeprefix(RATE_DATA)):
                return
        elif data.startswith("/"):
            await self._converse(chat_id, _button_title(query, data) or data, data, None)
            return
        log.info("telegram: ignored callback data of chat %s", _ref(chat_id))

    async def _converse(self, chat_id: int, text: str, payload: str | None, lang: str | None) -> None:
        async with self._lock(chat_id):
            before = await self._state(chat_id)
            reply = await process_message(
                self.settings,
                self.rasa,
                channel=CHANNEL,
                conversation_id=conversation_id_for(chat_id),
                text=text,
                payload=payload,
                lang=lang,
            )
            for item in outgoing(reply.messages):
                await send_text(self.bot, chat_id, item.text, item.markup())
            if reply.handoff and not (before and before.handoff):
                await self._send_handoff_options(chat_id, reply.language)

    def _text(self, key: str, lang: str, **values: str) -> str:
        return system_text(key, lang, self.settings, **values)

    async def _send_handoff_options(self, chat_id: int, lang: str) -> None:
        """How to leave an e-mail address and how to end the chat, with an End-chat button."""
        end = InlineKeyboardButton(self._text("telegram_end_button", lang), callback_data=END_DATA)
        await send_text(
            self.bot, chat_id, self._text("telegram_handoff_options", lang), InlineKeyboardMarkup([[end]])
        )

    async def _leave_email(self, chat_id: int, state: ChatState, address: str) -> None:
        """``/email <address>``: keep the address (the consent is in the options text) or say how."""
        try:
            saved = await to_thread.run_sync(
                lambda: save_contact(
                    self.settings,
                    conversation_id_for(chat_id),
                    address,
                    language=state.language,
                    transcript=False,
                    consent=TELEGRAM_CONSENT_VERSION,
                )
            )
        except InvalidEmailError:
            saved = None
        if saved is None:
            await send_text(self.bot, chat_id, self._text("telegram_email_invalid", state.language))
        else:
            text = self._text("telegram_email_saved", state.language, email=saved.email)
            await send_text(self.bot, chat_id, text)

    async def _end_chat(self, chat_id: int, state: ChatState) -> None:
        """``/end`` or the End-chat button: the chat closes for both sides; then a 1-5 rating."""
        conversation_id = conversation_id_for(chat_id)
        async with self._lock(chat_id):
            closing = await to_thread.run_sync(live.end_chat, self.settings, conversation_id)
        if closing is None:
            return
        await to_thread.run_sync(mail_transcript, self.settings, conversation_id)
        await send_text(self.bot, chat_id, self._text(live.CHAT_ENDED, state.language))
        stars = [InlineKeyboardButton(str(n), callback_data=f"{RATE_DATA}{n}") for n in RATINGS]
        await send_text(
            self.bot, chat_id, self._text("telegram_rate", state.language), InlineKeyboardMarkup([stars])
        )

    async def _rate_chat(self, chat_id: int, value: str) -> bool:
        """A rating button of an ended chat; False if it is not one (or the chat has not ended)."""
        if not value.isdigit() or int(value) not in RATINGS:
            return False
        conversation_id = conversation_id_for(chat_id)
        rated = await to_thread.run_sync(live.rate_chat, self.settings, conversation_id, int(value), None)
        state = await self._state(chat_id)
        if not rated or state is None:
            return False
        await send_text(self.bot, chat_id, self._text("telegram_rated", state.language))
        return True

    async def _send_language_menu(self, chat_id: int) -> None:
        codes = [code for code in self.settings.languages if code in LANGUAGE_NAMES]
        rows = [[InlineKeyboardButton(LANGUAGE_NAMES[c], callback_data=f"{LANGUAGE_DATA}{c}")] for c in codes]
        await send_text(
            self.bot,
            chat_id,
            "🌐 " + " · ".join(LANGUAGE_NAMES[c] for c in codes),
            InlineKeyboardMarkup(rows),
        )

    def _lock(self, chat_id: int) -> asyncio.Lock:
        lock = self._locks.get(chat_id)
        if lock is None:
            lock = self._locks[chat_id] = asyncio.Lock()
        return lock

    async def _state(self, chat_id: int) -> ChatState | None:
        return await to_thread.run_sync(chat_state, self.settings, conversation_id_for(chat_id))

    def _stored_button(self, chat_id: int, data: str) -> tuple[str, str] | None:
        """(title, payload) of button ``btn:<message id>:<index>`` of this chat's stored bot message."""
        try:
            message_id, index = (int(part) for part in data.removeprefix(STORED_BUTTON_DATA).split(":"))
        except ValueError:
            return None
        return stored_button(self.settings, conversation_id_for(chat_id), message_id, index)


def _chat_id(update: Update) -> int | None:
    return update.effective_chat.id if update.effective_chat is not None else None


def _button_title(query: CallbackQuery, data: str) -> str | None:
    """The text of the pressed button, read from the message's keyboard."""
    message = query.message
    if not isinstance(message, Message) or message.reply_markup is None:
        return None
    for row in message.reply_markup.inline_keyboard:
        for button in row:
            if button.callback_data == data:
                return button.text
    return None


async def poll(channel: TelegramChannel, *, timeout: int = 30, batches: int | None = None) -> None:
    """Polling mode: fetch updates with getUpdates and answer them one by one, in order.

    Removes any webhook first (Telegram refuses getUpdates while one is set).

    Args:
        channel: The channel that answers the updates.
        timeout: Long-polling timeout in seconds.
        batches: Stop after this many getUpdates calls (tests); None runs until cancelled.
    """
    await channel.bot.delete_webhook()
    offset: int | None = None
    done = 0
    delay = 1.0
    while batches is None or done < batches:
        done += 1
        try:
            updates = await channel.bot.get_updates(offset, timeout=timeout, allowed_updates=ALLOWED_UPDATES)
        except RetryAfter as exc:
            retry = exc.retry_after
            await asyncio.sleep(retry if isinstance(retry, int | float) else retry.total_seconds())
            continue
        except (NetworkError, TimedOut) as exc:
            log.warning("telegram: getUpdates failed (%s); retrying in %.0f s", type(exc).__name__, delay)
            await asyncio.sleep(delay)
            delay = min(delay * 2, 60.0)
            continue
        delay = 1.0
        for update in updates:
            offset = update.update_id + 1  # acknowledged even if answering fails: no endless retries
            await channel.handle(update)
