"""E-mail contact for teachers who leave: the address with consent, and the mail sent to it.

A teacher may leave an address at hand-off. It is stored with the consent text's version, its
language and the time it was given, and only used for this conversation: each agent reply is
mailed to it and, if asked, the transcript when the chat ends. Erasure and retention cover it
(:mod:`conversation.privacy`).
"""

from __future__ import annotations

import logging
import re
import smtplib
from dataclasses import dataclass

from sqlalchemy import select

from conversation.clock import utcnow
from conversation.db import session_scope
from conversation.mailer import MailNotConfiguredError, send_mail
from conversation.models import Contact, Conversation, Message
from conversation.texts import system_text
from settings import Settings

log = logging.getLogger(__name__)

# The consent text the widget shows next to the address field (bot/static/widget/widget.js,
# ``emailConsent``). Change the version whenever that text changes.
CONSENT_VERSION = "email-consent-v1"
# The consent sentence Telegram sends after a hand-off (conversation/texts.yml,
# ``telegram_handoff_options``): sending ``/email <address>`` is the consent.
TELEGRAM_CONSENT_VERSION = "telegram-email-consent-v1"
# One @, no spaces, a dot in the domain: enough to catch typos; the mail server does the rest.
EMAIL = re.compile(r"^[^@\s]{1,64}@[^@\s]+\.[^@\s]{2,}$")


class InvalidEmailError(ValueError):
    """Not an e-mail address."""


@dataclass(frozen=True)
class ContactPublic:
    """What the widget may show back: the address and whether the transcript is wanted."""

    email: str
    transcript: bool


def save_contact(
    settings: Settings,
    conversation_id: str,
    email: str,
    *,
    language: str,
    transcript: bool,
    consent: str = CONSENT_VERSION,
) -> ContactPublic | None:
    """Store (or replace) the conversation's address with the consent the teacher gave.

    Args:
        settings: Application settings (database).
        conversation_id: The conversation the address is for.
        email: The address.
        language: The language the consent text was shown in.
        transcript: Whether the teacher wants the transcript when the chat ends.
        consent: Version of the consent text the teacher agreed to (the widget's by default).

    Returns:
        The stored contact, or None if the conversation is unknown.

    Raises:
        InvalidEmailError: ``email`` is not an address.
    """
    email = email.strip()
    if not EMAIL.match(email) or len(email) > 254:
        raise InvalidEmailError(email)
    with session_scope(settings.database_url) as session:
        if session.get(Conversation, conversation_id) is None:
            return None
        contact = session.get(Contact, conversation_id) or Contact(conversation_id=conversation_id)
        contact.email = email
        contact.consent_text = consent
        contact.consent_language = language
        contact.consented_at = utcnow()
        contact.transcript = transcript
        session.add(contact)
        return ContactPublic(email, transcript)


def remove_contact(settings: Settings, conversation_id: str) -> None:
    """Forget the address (the teacher withdrew consent)."""
    with session_scope(settings.database_url) as session:
        contact = session.get(Contact, conversation_id)
        if contact is not None:
            session.delete(contact)


def read_contact(settings: Settings, conversation_id: str) -> ContactPublic | None:
    """The conversation's address, if one was left."""
    with session_scope(settings.database_url) as session:
        contact = session.get(Contact, conversation_id)
        return ContactPublic(contact.email, contact.transcript) if contact else None


def _send(settings: Settings, to: str, subject: str, body: str) -> bool:
    try:
        send_mail(settings, to, subject, body)
    except MailNotConfiguredError:
        log.info("mail: not configured, nothing sent")
        return False
    except (smtplib.SMTPException, OSError) as exc:
        log.warning("mail: sending failed: %s", type(exc).__name__)
        return False
    return True


def mail_reply(settings: Settings, conversation_id: str, agent_name: str, text: str) -> bool:
    """Mail an agent's reply to the address the teacher left (blocking: run it in a thread).

    Returns:
        True when it was sent; False when there is no address, no mail server, or sending failed.
    """
    with session_scope(settings.database_url) as session:
        contact = session.get(Contact, conversation_id)
        if contact is None:
            return False
        to, lang = contact.email, contact.consent_language
        conversation = session.get(Conversation, conversation_id)
        channel = conversation.channel if conversation else "web"
    # Where the teacher can answer: the website's chat, or the Telegram chat they asked in.
    key = "mail_reply_body_telegram" if channel == "telegram" else "mail_reply_body"
    subject = system_text("mail_reply_subject", lang, settings)
    body = system_text(key, lang, settings, name=agent_name.split(maxsplit=1)[0], text=text)
    return _send(settings, to, subject, body)


def mail_transcript(settings: Settings, conversation_id: str) -> bool:
    """Mail the conversation's transcript if the teacher asked for it (blocking).

    Returns:
        True when it was sent.
    """
    with session_scope(settings.database_url) as session:
        contact = session.get(Contact, conversation_id)
        if contact is None or not contact.transcript:
            return False
        to, lang = contact.email, contact.consent_language
        rows = session.scalars(
            select(Message).where(Message.conversation_id == conversation_id).order_by(Message.id)
        ).all()
        speakers = {
            role: system_text(f"mail_speaker_{role}", lang, settings)
            for role in ("user", "bot", "agent", "system")
        }
        lines = [
            f"[{m.created_at:%Y-%m-%d %H:%M} UTC] {speakers.get(m.role, m.role)}: {m.text}" for m in rows
        ]
    subject = system_text("mail_transcript_subject", lang, settings)
    body = system_text("mail_transcript_body", lang, settings, text="\n\n".join(lines))
    return _send(settings, to, subject, body)
