"""Teachers who leave: the e-mail contact with consent, mail through a real SMTP server (aiosmtpd
on 127.0.0.1), and the live chat's state (agent joined, typing, unread, ending and rating)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import select, update

from conversation import live
from conversation.clock import utcnow
from conversation.contact import (
    CONSENT_VERSION,
    InvalidEmailError,
    mail_reply,
    mail_transcript,
    read_contact,
    save_contact,
)
from conversation.db import session_scope
from conversation.mailer import MailNotConfiguredError, send_mail
from conversation.models import Agent, Contact, Conversation, Handoff, Message
from conversation.privacy import erase_conversation, purge_older_than
from settings import Settings
from tests.conversation.factories import add_conversation, privacy_settings, rows
from tests.smtp_server import Inbox, smtp_server

pytestmark = pytest.mark.unit

CID = "web-contact001"
ADDRESS = "an.janssens@school.be"


@pytest.fixture
def inbox() -> Iterator[Inbox]:
    with smtp_server() as server:
        yield server


@pytest.fixture
def settings(tmp_path: Path, inbox: Inbox) -> Settings:
    """A conversation taken over by agent Els, on a gateway that mails through ``inbox``."""
    base = privacy_settings(tmp_path).model_copy(
        update={
            "smtp_host": inbox.host,
            "smtp_port": inbox.port,
            "smtp_tls": "none",
            "smtp_sender": "hd@nso.example",
        }
    )
    add_conversation(base, CID, utcnow(), [(utcnow(), "a person please")], handoff=("waiting", utcnow()))
    with session_scope(base.database_url) as session:
        els = Agent(email="els@nso.example", name="Els Peeters", password_hash="-", role="agent")
        session.add(els)
        session.flush()
        handoff = session.scalars(select(Handoff).where(Handoff.conversation_id == CID)).one()
        handoff.status, handoff.taken_by = "taken", els.id
    return base


def test_save_contact_stores_consent_version_language_and_time(settings: Settings) -> None:
    assert save_contact(settings, CID, f"  {ADDRESS} ", language="nl", transcript=True) is not None
    with session_scope(settings.database_url) as session:
        contact = session.get(Contact, CID)
        assert contact is not None
        assert (contact.email, contact.consent_text, contact.consent_language, contact.transcript) == (
            ADDRESS,
            CONSENT_VERSION,
            "nl",
            True,
        )
        assert contact.consented_at is not None


@pytest.mark.parametrize("bad", ["", "an", "an@school", "an janssens@school.be", "a@b@c.be"])
def test_save_contact_not_an_address_raises(settings: Settings, bad: str) -> None:
    with pytest.raises(InvalidEmailError):
        save_contact(settings, CID, bad, language="en", transcript=False)


def test_save_contact_unknown_conversation_returns_none(settings: Settings) -> None:
    assert save_contact(settings, "web-unknown001", ADDRESS, language="en", transcript=False) is None


def test_mail_reply_arrives_at_smtp_server_in_teachers_language(settings: Settings, inbox: Inbox) -> None:
    save_contact(settings, CID, ADDRESS, language="nl", transcript=False)
    assert mail_reply(settings, CID, "Els Peeters", "Hallo! Zie https://example.org/hulp.")
    [mail] = inbox.wait_for(1)
    assert mail["To"] == ADDRESS and mail["From"] == "hd@nso.example"
    assert mail["Subject"] == "De eTwinning-helpdesk heeft je vraag beantwoord"
    body = mail.get_content()
    assert "Els van de eTwinning-helpdesk antwoordde" in body and "https://example.org/hulp" in body
    assert "Peeters" not in body


def test_mail_reply_tells_a_telegram_teacher_to_answer_in_telegram(settings: Settings, inbox: Inbox) -> None:
    with session_scope(settings.database_url) as session:
        session.execute(update(Conversation).where(Conversation.id == CID).values(channel="telegram"))
    save_contact(settings, CID, ADDRESS, language="en", transcript=False)
    assert mail_reply(settings, CID, "Els Peeters", "Hello")
    [mail] = inbox.wait_for(1)
    body = mail.get_content()
    assert "Telegram chat where you asked" in body and "website" not in body


def test_mail_reply_without_contact_sends_nothing(settings: Settings, inbox: Inbox) -> None:
    assert not mail_reply(settings, CID, "Els", "Hallo")
    assert inbox.messages == []


def test_mail_transcript_only_when_asked(settings: Settings, inbox: Inbox) -> None:
    save_contact(settings, CID, ADDRESS, language="en", transcript=False)
    assert not mail_transcript(settings, CID)
    save_contact(settings, CID, ADDRESS, language="en", transcript=True)
    assert mail_transcript(settings, CID)
    [mail] = inbox.wait_for(1)
    assert mail["Subject"] == "Your chat with the eTwinning helpdesk"
    assert "You: a person please" in mail.get_content()


def test_send_mail_without_host_raises_not_configured(settings: Settings) -> None:
    with pytest.raises(MailNotConfiguredError):
        send_mail(settings.model_copy(update={"smtp_host": ""}), ADDRESS, "s", "b")


def test_mail_reply_smtp_server_down_returns_false(settings: Settings, inbox: Inbox) -> None:
    save_contact(settings, CID, ADDRESS, language="en", transcript=False)
    down = settings.model_copy(update={"smtp_port": 9})
    assert not mail_reply(down, CID, "Els", "Hallo")


def test_erase_deletes_the_contact(settings: Settings) -> None:
    save_contact(settings, CID, ADDRESS, language="en", transcript=True)
    result = erase_conversation(settings, CID)
    assert result["contacts"] == 1 and result["left"]["contacts"] == 0
    assert read_contact(settings, CID) is None
    assert rows(settings, CID)["conversations"] == 0


def test_purge_deletes_a_contact_older_than_retention_once_the_chat_is_closed(settings: Settings) -> None:
    save_contact(settings, CID, ADDRESS, language="en", transcript=False)
    later = dt.datetime.now(dt.UTC) + dt.timedelta(days=40)
    assert purge_older_than(settings, days=30, now=later)["contacts"] == 0  # the chat is open: kept
    live.end_chat(settings, CID)
    assert purge_older_than(settings, days=30, now=later)["contacts"] == 1
    assert read_contact(settings, CID) is None


def test_live_state_names_agent_counts_unread_until_seen(settings: Settings) -> None:
    assert live.live_state(settings, CID) == live.LiveState("Els", False, 0)
    with session_scope(settings.database_url) as session:
        reply = Message(conversation_id=CID, role="agent", text="Hallo")
        session.add(reply)
        session.flush()
        reply_id = reply.id
    assert live.live_state(settings, CID).unread == 1
    live.mark_seen(settings, CID, reply_id)
    assert live.live_state(settings, CID).unread == 0


def test_typing_is_fresh_for_a_few_seconds_each_side(settings: Settings) -> None:
    assert not live.user_typing(settings, CID)
    live.typing(settings, CID, "user")
    live.typing(settings, CID, "agent")
    assert live.user_typing(settings, CID)
    assert live.live_state(settings, CID).agent_typing


def test_end_chat_closes_handoff_and_rating_lands_on_closing_message(settings: Settings) -> None:
    assert not live.rate_chat(settings, CID, 5, None)  # not ended yet
    closing = live.end_chat(settings, CID)
    assert closing is not None
    assert live.live_state(settings, CID).agent is None
    assert live.rate_chat(settings, CID, 4, "Quick and kind")
    with session_scope(settings.database_url) as session:
        message = session.get(Message, closing)
        assert message is not None
        assert (message.role, message.kind, message.rating, message.rating_comment) == (
            "system",
            live.CHAT_ENDED,
            "4",
            "Quick and kind",
        )
        handoff = session.scalars(select(Handoff).where(Handoff.conversation_id == CID)).one()
        assert handoff.status == "closed" and handoff.closed_at is not None
