"""Finding 9: no log line carries a secret, httpx's request lines included.

httpx logs every request URL, and the Telegram Bot API puts the bot token in the path; with
several workers those lines went out unfiltered. The redaction filter now sits on the root
logger's handlers and on the HTTP clients' and Telegram's own loggers, and knows bot tokens,
the configured secrets, bearer tokens, ``token=`` parameters and passwords in URLs.
"""

from __future__ import annotations

import io
import logging
import time
from collections.abc import Callable, Iterator

import httpx
import pytest

from conversation.redact import RedactingFilter, redact_secrets
from tests.security.factories import LiveApp

BOT_TOKEN = "123456789:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw"
WEBHOOK_SECRET = "hook-secret-0123456789"


@pytest.fixture
def root_output() -> Iterator[io.StringIO]:
    """What a plain handler on the root logger writes (as a worker's stderr would)."""
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    root = logging.getLogger()
    root.addHandler(handler)
    old_level = root.level
    root.setLevel(logging.INFO)
    # The Telegram CLI (python -m bot, run by earlier tests) turns httpx down to WARNING.
    httpx_logger = logging.getLogger("httpx")
    old_httpx_level = httpx_logger.level
    httpx_logger.setLevel(logging.INFO)
    yield stream
    root.removeHandler(handler)
    root.setLevel(old_level)
    httpx_logger.setLevel(old_httpx_level)


@pytest.mark.integration
def test_httpx_request_line_with_telegram_token_is_redacted(
    serve: Callable[..., LiveApp], root_output: io.StringIO
) -> None:
    app = serve(telegram_bot_token=BOT_TOKEN, telegram_webhook_secret=WEBHOOK_SECRET)
    with httpx.Client(base_url=app.url) as client:  # a real request: httpx writes its own log line
        client.get(f"/bot{BOT_TOKEN}/getMe", params={"token": "query-token-value"})
    written = root_output.getvalue()
    assert "HTTP Request: GET" in written and "/bot[secret]/getMe" in written
    assert BOT_TOKEN not in written and "AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw" not in written
    assert "query-token-value" not in written


@pytest.mark.integration
def test_configured_secrets_and_tracebacks_are_redacted_on_every_logger(
    serve: Callable[..., LiveApp], root_output: io.StringIO
) -> None:
    serve(telegram_bot_token=BOT_TOKEN, telegram_webhook_secret=WEBHOOK_SECRET)
    logging.getLogger("bot.channels.delivery").warning("webhook header was %s", WEBHOOK_SECRET)
    logging.getLogger("telegram.ext.Updater").info("Authorization: Bearer eyJhbGciOi.payload.sig")
    try:
        raise httpx.HTTPStatusError(
            f"Client error for url 'https://api.telegram.org/bot{BOT_TOKEN}/sendMessage'",
            request=httpx.Request("POST", f"https://api.telegram.org/bot{BOT_TOKEN}/sendMessage"),
            response=httpx.Response(404),
        )
    except httpx.HTTPStatusError:
        logging.getLogger("conversation.turns").exception("delivery failed")
    written = root_output.getvalue()
    for secret in (WEBHOOK_SECRET, BOT_TOKEN, "eyJhbGciOi.payload.sig"):
        assert secret not in written
    assert "delivery failed" in written and "Traceback" in written


@pytest.mark.integration
def test_named_loggers_redact_even_with_a_handler_installed_later(serve: Callable[..., LiveApp]) -> None:
    """A worker's logging set-up may add handlers after the app is built: httpx's own filter holds."""
    serve(telegram_bot_token=BOT_TOKEN)
    stream = io.StringIO()
    late = logging.StreamHandler(stream)
    httpx_log = logging.getLogger("httpx")
    httpx_log.addHandler(late)
    try:
        httpx_log.warning(
            "HTTP Request: POST %s", httpx.URL(f"https://api.telegram.org/bot{BOT_TOKEN}/getUpdates")
        )
    finally:
        httpx_log.removeHandler(late)
    assert BOT_TOKEN not in stream.getvalue() and "/bot[secret]/getUpdates" in stream.getvalue()


@pytest.mark.unit
@pytest.mark.parametrize(
    ("line", "kept"),
    [
        (
            f"POST https://api.telegram.org/bot{BOT_TOKEN}/sendMessage",
            "POST https://api.telegram.org/bot[secret]/sendMessage",
        ),
        (f"token {BOT_TOKEN} in an error", "token [secret] in an error"),
        (
            '"GET /bot123456789%3AAAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw/getMe HTTP/1.1"',
            '"GET /bot[secret]/getMe',
        ),
        ("GET /webhook?token=abc123&x=1", "GET /webhook?token=[secret]&x=1"),
        ("Authorization: Bearer abc.def.ghi", "Authorization: [secret]"),
        ("postgresql+psycopg://nso:pa55word@db/nso", "postgresql+psycopg://nso:[secret]@db/nso"),
        ("erased tg-123456789 (3 messages)", "erased tg-123456789 (3 messages)"),
        ("last active on 15.6.2021", "last active on 15.6.2021"),
    ],
)
def test_redact_secrets_hides_tokens_and_keeps_ordinary_text(line: str, kept: str) -> None:
    assert redact_secrets(line).startswith(kept)


@pytest.mark.unit
def test_redacting_filter_is_linear_on_a_hostile_line() -> None:
    record = logging.LogRecord("x", logging.INFO, __file__, 1, "%s", ("a." * 50_000 + "@",), None)
    started = time.monotonic()
    RedactingFilter([WEBHOOK_SECRET]).filter(record)  # the e-mail pattern was quadratic: 3 s here
    assert time.monotonic() - started < 0.5 and record.getMessage().endswith("@")


def test_uvicorn_access_line_keeps_its_shape_and_loses_the_token() -> None:
    from uvicorn.logging import AccessFormatter

    token = "123456789:AAH" + "x" * 32
    record = logging.LogRecord(
        "uvicorn.access",
        logging.INFO,
        __file__,
        1,
        '%s - "%s %s HTTP/%s" %d',
        ("127.0.0.1:5000", "POST", f"/bot{token}/sendMessage?token=abc", "1.1", 200),
        None,
    )
    assert RedactingFilter([]).filter(record)
    line = AccessFormatter('%(client_addr)s - "%(request_line)s" %(status_code)s').format(record)
    assert token not in line and "token=abc" not in line
    assert line.startswith('127.0.0.1:5000 - "POST /bot[secret]/sendMessage') and '" 200' in line
