"""A small SMTP client for mail to teachers (agent replies, transcripts): stdlib ``smtplib``.

Blocking, so callers on the event loop run :func:`send_mail` in a worker thread. TLS follows
``NSO_SMTP_TLS``: ``starttls`` (port 587), ``ssl`` (implicit TLS, 465) or ``none`` (a local relay,
the tests' aiosmtpd); a user name turns on login.
"""

from __future__ import annotations

import logging
import smtplib
import ssl
from email.message import EmailMessage
from email.utils import formatdate, make_msgid

from settings import Settings

log = logging.getLogger(__name__)


class MailNotConfiguredError(RuntimeError):
    """``NSO_SMTP_HOST`` is empty: mail is switched off."""


def compose(settings: Settings, to: str, subject: str, body: str) -> EmailMessage:
    """A plain-text UTF-8 message from the configured sender."""
    message = EmailMessage()
    message["From"] = settings.smtp_sender
    message["To"] = to
    message["Subject"] = subject
    message["Date"] = formatdate(usegmt=True)
    message["Message-ID"] = make_msgid(domain=settings.smtp_sender.rpartition("@")[2] or None)
    message.set_content(body)
    return message


def send_mail(settings: Settings, to: str, subject: str, body: str) -> None:
    """Send one message through the configured SMTP server.

    Raises:
        MailNotConfiguredError: No SMTP host is set.
        smtplib.SMTPException, OSError: The server refused it or could not be reached.
    """
    if not settings.smtp_host:
        raise MailNotConfiguredError("NSO_SMTP_HOST is not set")
    message = compose(settings, to, subject, body)
    context = ssl.create_default_context()
    smtp: smtplib.SMTP
    if settings.smtp_tls == "ssl":
        smtp = smtplib.SMTP_SSL(
            settings.smtp_host, settings.smtp_port, timeout=settings.smtp_timeout, context=context
        )
    else:
        smtp = smtplib.SMTP(settings.smtp_host, settings.smtp_port, timeout=settings.smtp_timeout)
    with smtp:
        if settings.smtp_tls == "starttls":
            smtp.starttls(context=context)
        if settings.smtp_user:
            smtp.login(settings.smtp_user, settings.smtp_password.get_secret_value())
        smtp.send_message(message)
    log.info("mail: sent %r", subject)
