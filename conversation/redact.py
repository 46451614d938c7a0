"""Redaction of personal data (e-mail addresses, phone numbers) in logs and analytics."""

from __future__ import annotations

import logging
import re

EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
# International or national numbers with 8+ digits, allowing spaces, dots, dashes, brackets;
# not digits glued to a word by "-" (conversation ids like tg-123456789 must stay traceable).
PHONE = re.compile(r"(?<![\w.-])\+?\d[\d\s().-]{6,}\d(?![\w.])")


def redact(text: str) -> str:
    """Replace e-mail addresses and phone numbers with placeholders.

    Dates like 15.6.2021 are not phone numbers (too few digits), so answers stay readable.
    """
    text = EMAIL.sub("[email]", text)
    return PHONE.sub(lambda m: "[phone]" if sum(c.isdigit() for c in m.group()) >= 8 else m.group(), text)


class RedactingFilter(logging.Filter):
    """Logging filter that redacts the formatted message of every record it sees."""

    def filter(self, record: logging.LogRecord) -> bool:
        """Format the message once, redact it and drop the args."""
        record.msg = redact(record.getMessage())
        record.args = ()
        return True


def install_log_redaction() -> None:
    """Redact on every handler of the root logger (idempotent)."""
    root = logging.getLogger()
    if not root.handlers:
        logging.basicConfig(level=logging.INFO)
    for handler in root.handlers:
        if not any(isinstance(f, RedactingFilter) for f in handler.filters):
            handler.addFilter(RedactingFilter())
