"""Redaction of secrets (tokens, passwords) and personal data (e-mail addresses, phone numbers)
in logs and analytics.

Every log line passes ``RedactingFilter``: on the root logger's handlers and on the loggers of
the HTTP clients and Telegram, whose records carry request URLs (the Bot API puts the bot token
in the path: ``https://api.telegram.org/bot123456:ABC.../sendMessage``). Every pattern here is
linear in the text's length: a log line can quote what a stranger sent.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable
from urllib.parse import quote

from pydantic import SecretStr

from settings import PLACEHOLDER, Settings, get_settings

# The look-behind starts an address only where its run of characters starts: from every position
# inside a long run the scan would be quadratic.
EMAIL = re.compile(r"(?<![\w.+-])[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
# International or national numbers with 8+ digits, allowing spaces, dots, dashes, brackets;
# not digits glued to a word by "-" (conversation ids like tg-123456789 must stay traceable).
PHONE = re.compile(r"(?<![\w.-])\+?\d[\d\s().-]{6,}\d(?![\w.])")

SECRET = "[secret]"
# A Telegram bot token, also right after the Bot API's "/bot" (hence no word boundary in front).
# The colon may arrive URL-encoded (%3A), as in an access-log line of the request path.
BOT_TOKEN = re.compile(r"(?<!\d)\d{5,}(?::|%3A)[A-Za-z0-9_-]{20,}", re.IGNORECASE)
BOT_API_PATH = re.compile(r"/bot\d+(?::|%3A)[^/\s?#\"']+", re.IGNORECASE)
BEARER = re.compile(r"\b(Bearer)\s+[A-Za-z0-9._~+/=-]+", re.IGNORECASE)
AUTHORIZATION = re.compile(
    r"\b(authorization[\"']?\s*[:=]\s*[\"']?)(?:[A-Za-z]+\s+)?[^\s\"',]+", re.IGNORECASE
)
# token=..., auth_token=..., api_key=..., password=... in query strings and key=value logs.
SECRET_PARAM = re.compile(
    r"(?<![\w-])([\w-]*(?:token|secret|password|passwd|api[_-]?key)=)[^&\s#\"']+", re.IGNORECASE
)
URL_PASSWORD = re.compile(r"(?<![a-z0-9+.-])([a-z][a-z0-9+.-]*://[^/\s:@]*:)[^@\s/]+@", re.IGNORECASE)
MIN_SECRET_CHARS = 6  # shorter configured values would blank ordinary words in every line
LOGGERS = (
    "httpx",
    "httpcore",
    "httpcore.connection",
    "httpcore.http11",
    "httpcore.http2",
    "httpcore.proxy",
    "telegram",
    "telegram.ext",
    "uvicorn.access",
    "uvicorn.error",
)
"""Loggers filtered directly as well: a logger's own filter sees its records whatever handlers
(or propagation settings) a worker's logging configuration gives it."""


def redact(text: str) -> str:
    """Replace e-mail addresses and phone numbers with placeholders.

    Dates like 15.6.2021 are not phone numbers (too few digits), so answers stay readable.
    """
    text = EMAIL.sub("[email]", text)
    return PHONE.sub(lambda m: "[phone]" if sum(c.isdigit() for c in m.group()) >= 8 else m.group(), text)


def redact_secrets(text: str, secrets: Iterable[str] = ()) -> str:
    """Replace bot tokens, bearer tokens, ``token=`` values, URL passwords and ``secrets``.

    Args:
        text: A log line.
        secrets: Configured secret values to blank wherever they appear.

    Returns:
        The line with every secret replaced by ``[secret]``.
    """
    for value in secrets:
        text = text.replace(value, SECRET)
    text = BOT_API_PATH.sub("/bot" + SECRET, text)
    text = BOT_TOKEN.sub(SECRET, text)
    text = BEARER.sub(lambda m: f"{m.group(1)} {SECRET}", text)
    text = AUTHORIZATION.sub(lambda m: m.group(1) + SECRET, text)
    text = SECRET_PARAM.sub(lambda m: m.group(1) + SECRET, text)
    return URL_PASSWORD.sub(lambda m: f"{m.group(1)}{SECRET}@", text)


def configured_secrets(settings: Settings) -> tuple[str, ...]:
    """Every secret value in the settings (``SecretStr`` fields and the secret key), longest first,
    also URL-encoded.

    Args:
        settings: The settings.

    Returns:
        The values worth redacting (at least ``MIN_SECRET_CHARS`` long).
    """
    values = [v.get_secret_value() for _, v in settings if isinstance(v, SecretStr)]
    if settings.secret_key != PLACEHOLDER:
        values.append(settings.secret_key)
    values += [quote(v, safe="") for v in values]  # as it appears in a logged URL
    return tuple(sorted({v for v in values if len(v) >= MIN_SECRET_CHARS}, key=len, reverse=True))


class RedactingFilter(logging.Filter):
    """Logging filter that redacts secrets and personal data from every record it sees."""

    def __init__(self, secrets: Iterable[str] = ()) -> None:
        """Keep ``secrets``, the configured values to blank besides the patterns."""
        super().__init__()
        self.secrets = tuple(secrets)

    def clean(self, text: str) -> str:
        """Secrets first: a token's digits must not become "[phone]" with the rest left behind."""
        return redact(redact_secrets(text, self.secrets))

    def filter(self, record: logging.LogRecord) -> bool:
        """Format the message once, redact it and drop the args; redact the traceback too.

        uvicorn's access formatter unpacks the args (address, method, path, version, status):
        there each argument is redacted in place instead, so the line keeps its shape.
        """
        if record.name == "uvicorn.access" and isinstance(record.args, tuple):
            record.args = tuple(a if isinstance(a, int | float) else self.clean(str(a)) for a in record.args)
        else:
            record.msg = self.clean(record.getMessage())
            record.args = ()
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = self.clean(record.exc_text)
        if record.stack_info:
            record.stack_info = self.clean(record.stack_info)
        return True


def install_log_redaction(settings: Settings | None = None) -> None:
    """Redact on every handler of the root logger and on ``LOGGERS`` (idempotent).

    Installing again (a new app with other settings) updates the secrets of the filters in place.

    Args:
        settings: Whose secrets to blank; the process's settings when not given.
    """
    secrets = configured_secrets(settings or get_settings())
    root = logging.getLogger()
    if not root.handlers:
        logging.basicConfig(level=logging.INFO)
    for target in [*root.handlers, *(logging.getLogger(name) for name in LOGGERS)]:
        existing = [f for f in target.filters if isinstance(f, RedactingFilter)]
        for found in existing:
            found.secrets = secrets
        if not existing:
            target.addFilter(RedactingFilter(secrets))
