"""GDPR: erase one conversation, or everything older than the retention period, in every store.

A conversation lives in two stores: the gateway database (conversations, messages, handoffs,
notes) and Rasa's SQL tracker store (``NSO_RASA_TRACKER_URL``: the database of endpoints.yml,
table ``events``, one row per event, keyed by ``sender_id`` = conversation id). Rasa's HTTP API
cannot delete: its SQL tracker store only appends, so replacing a tracker's events with none
leaves every row in place. Both stores are therefore cleaned with SQL, and counted again after.

Rasa keeps no copy between messages: ``SQLTrackerStore.retrieve`` reads the table on every
message, and the lock store holds ticket numbers only (Rasa 3.6, ``rasa/core/tracker_store.py``
and ``lock_store.py``). A turn that Rasa is processing while the rows are deleted writes that
session's events back when it ends; the recount reports it if it has happened by then.

SQLite files are deleted from with ``secure_delete`` on, then vacuumed and their write-ahead log
truncated, so no copy of the deleted rows is left in the files. PostgreSQL reuses the space of
deleted rows at its next (auto)vacuum; backups and WAL archives keep what they hold.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from functools import lru_cache
from pathlib import Path
from typing import Any, TypedDict, cast

from sqlalchemy import (
    Column,
    ColumnElement,
    CursorResult,
    Engine,
    Float,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    and_,
    create_engine,
    delete,
    event,
    exists,
    false,
    func,
    inspect,
    or_,
    select,
    text,
)
from sqlalchemy.engine import make_url
from sqlalchemy.exc import InterfaceError, OperationalError
from sqlalchemy.orm import InstrumentedAttribute, Session

from conversation.clock import as_utc, utcnow
from conversation.db import engine_for, session_scope
from conversation.handoff import OPEN
from conversation.models import Contact, Conversation, Handoff, Message, Note
from settings import Settings

log = logging.getLogger(__name__)

GATEWAY = "gateway database"
TRACKER = "Rasa tracker store"
CHUNK = 500  # ids per IN (...) list, well below SQLite's parameter limit

# Rasa 3.6's SQLTrackerStore.SQLEvent (rasa/core/tracker_store.py); ``timestamp`` is epoch seconds.
RASA_EVENTS = Table(
    "events",
    MetaData(),
    Column("id", Integer, primary_key=True),
    Column("sender_id", String(255), nullable=False, index=True),
    Column("type_name", String(255), nullable=False),
    Column("timestamp", Float),
    Column("intent_name", String(255)),
    Column("action_name", String(255)),
    Column("data", Text),
)


class StoreUnavailableError(Exception):
    """A store could not be reached, or is not what its setting says; nothing was deleted there.

    Args:
        store: ``GATEWAY`` or ``TRACKER``.
        url: The store's URL (the password is hidden).
        reason: What went wrong, without any conversation content.
    """

    def __init__(self, store: str, url: str, reason: str) -> None:
        shown = make_url(url).render_as_string(hide_password=True)
        super().__init__(f"{store} not reachable at {shown}: {reason}")
        self.store = store


class Erasure(TypedDict):
    """Rows deleted per store, and the rows concerned still found afterwards (``left``).

    ``rasa_tracker_erased`` is true only if Rasa's tracker store was reached and none of its rows
    is left; otherwise ``rasa_error`` says why (the gateway's rows are deleted all the same).
    ``residue`` names SQLite files that could not be compacted, so deleted bytes may remain in
    them until the next erasure or purge.
    """

    messages: int
    handoffs: int
    notes: int
    contacts: int  # e-mail addresses left for the helpdesk's replies
    conversations: int
    rasa_events: int
    left: dict[str, int]
    rasa_tracker_erased: bool
    rasa_error: str
    residue: list[str]


class Purge(Erasure):
    """A retention purge: ``erased`` lists the conversations removed whole, ``kept_open`` those
    left untouched because a handoff is open."""

    erased: list[str]
    kept_open: list[str]


def erase_conversation(settings: Settings, conversation_id: str) -> Erasure:
    """Delete a conversation's rows from the gateway database and from Rasa's tracker store.

    Args:
        settings: ``database_url`` and ``rasa_tracker_url`` say where the stores are.
        conversation_id: The conversation, which is also Rasa's sender id.

    Returns:
        Rows deleted per store and what is left; Rasa's store being unreachable is reported there.

    Raises:
        StoreUnavailableError: The gateway database cannot be reached; nothing was deleted.
    """
    models: tuple[tuple[type[Any], InstrumentedAttribute[str]], ...] = (
        (Note, Note.conversation_id),
        (Contact, Contact.conversation_id),
        (Message, Message.conversation_id),
        (Handoff, Handoff.conversation_id),
        (Conversation, Conversation.id),
    )
    with _gateway(settings) as session:
        deleted = {
            str(model.__tablename__): _deleted(
                session.execute(delete(model).where(column == conversation_id))
            )
            for model, column in models
        }
    with _gateway(settings) as session:
        left = {
            str(model.__tablename__): _count(session, model, column == conversation_id)
            for model, column in models
        }
    erasure = _with_tracker(settings, deleted, left, [RASA_EVENTS.c.sender_id == conversation_id])
    log.info("privacy: erased %s (%s)", conversation_id, _summary(erasure))
    return erasure


def purge_older_than(settings: Settings, days: int, now: dt.datetime | None = None) -> Purge:
    """Delete everything older than ``days`` days, except in conversations with an open handoff.

    Goes by each record's own time: messages and notes by when they were written, closed
    handoffs by when they were closed, Rasa events by their timestamp. A conversation is removed
    whole once it is older than the cutoff and nothing of it is left, so a long conversation with
    a recent message keeps that message and loses only its old ones.

    Args:
        settings: ``database_url`` and ``rasa_tracker_url`` say where the stores are.
        days: The retention period.
        now: The current time (tests).

    Returns:
        Rows deleted per store, what is left, the conversations erased whole and those kept open.

    Raises:
        StoreUnavailableError: The gateway database cannot be reached; nothing was deleted.
    """
    cutoff = as_utc(now or utcnow()) - dt.timedelta(days=days)
    with _gateway(settings) as session:
        kept_open = sorted(
            set(session.scalars(select(Handoff.conversation_id).where(Handoff.status.in_(OPEN))))
        )
        old = _old_gateway_rows(cutoff, kept_open)
        deleted = {
            name: _deleted(session.execute(delete(model).where(*where)))
            for name, (model, where) in old.items()
        }
        erased = list(session.scalars(select(Conversation.id).where(*_empty_and_old(cutoff, kept_open))))
        deleted["conversations"] = sum(
            _deleted(
                session.execute(
                    delete(Conversation).where(Conversation.id.in_(chunk), *_empty_and_old(cutoff, kept_open))
                )
            )
            for chunk in _chunks(erased)
        )
    with _gateway(settings) as session:
        left = {name: _count(session, model, *where) for name, (model, where) in old.items()}
        left["conversations"] = sum(
            _count(session, Conversation, Conversation.id.in_(c)) for c in _chunks(erased)
        )
    events = RASA_EVENTS.c
    conditions: list[ColumnElement[bool]] = [events.sender_id.in_(chunk) for chunk in _chunks(erased)]
    conditions.append(and_(events.timestamp < cutoff.timestamp(), events.sender_id.not_in(kept_open)))
    purge = Purge(
        **_with_tracker(settings, deleted, left, conditions),
        erased=erased,
        kept_open=kept_open,
    )
    log.info("privacy: purged %s days: %s; kept %s open", days, _summary(purge), len(kept_open))
    return purge


def _old_gateway_rows(
    cutoff: dt.datetime, kept_open: Sequence[str]
) -> dict[str, tuple[type[Note | Contact | Message | Handoff], list[ColumnElement[bool]]]]:
    """Per table, the rows older than ``cutoff`` outside conversations with an open handoff."""
    return {
        "notes": (Note, [Note.created_at < cutoff, Note.conversation_id.not_in(kept_open)]),
        # An address lives as long as the consent given for it is younger than the retention period.
        "contacts": (Contact, [Contact.consented_at < cutoff, Contact.conversation_id.not_in(kept_open)]),
        "messages": (Message, [Message.created_at < cutoff, Message.conversation_id.not_in(kept_open)]),
        "handoffs": (
            Handoff,
            [
                Handoff.status.not_in(OPEN),
                func.coalesce(Handoff.closed_at, Handoff.created_at) < cutoff,
                Handoff.conversation_id.not_in(kept_open),
            ],
        ),
    }


def _empty_and_old(cutoff: dt.datetime, kept_open: Sequence[str]) -> list[ColumnElement[bool]]:
    """Conversations started before ``cutoff`` with no message, note or handoff left."""
    return [
        Conversation.created_at < cutoff,
        Conversation.id.not_in(kept_open),
        ~exists().where(Message.conversation_id == Conversation.id),
        ~exists().where(Note.conversation_id == Conversation.id),
        ~exists().where(Contact.conversation_id == Conversation.id),
        ~exists().where(Handoff.conversation_id == Conversation.id),
    ]


def _with_tracker(
    settings: Settings, deleted: dict[str, int], left: dict[str, int], conditions: list[ColumnElement[bool]]
) -> Erasure:
    """The gateway's counts plus the deletion of Rasa's events matching any of ``conditions``."""
    erasure = Erasure(
        messages=deleted["messages"],
        handoffs=deleted["handoffs"],
        notes=deleted["notes"],
        contacts=deleted["contacts"],
        conversations=deleted["conversations"],
        rasa_events=0,
        left=left,
        rasa_tracker_erased=False,
        rasa_error="",
        residue=_compact(GATEWAY, engine_for(settings.database_url)),
    )
    try:
        erasure["rasa_events"], left["rasa_events"] = _delete_events(settings.rasa_tracker_url, conditions)
        erasure["residue"] += _compact(TRACKER, _tracker_engine(settings.rasa_tracker_url))
    except StoreUnavailableError as exc:
        log.warning("privacy: %s", exc)
        erasure["rasa_error"] = str(exc)
        return erasure
    if left["rasa_events"]:
        erasure["rasa_error"] = (
            f"{left['rasa_events']} events were written back meanwhile (a turn was running): run it again"
        )
    erasure["rasa_tracker_erased"] = not left["rasa_events"]
    return erasure


def _delete_events(url: str, conditions: list[ColumnElement[bool]]) -> tuple[int, int]:
    """Delete Rasa's events matching any of ``conditions``; returns (deleted, left).

    Raises:
        StoreUnavailableError: The store cannot be reached or has no ``events`` table.
    """
    where = or_(false(), *conditions)
    try:
        engine = _tracker_engine(url)
        with engine.begin() as connection:
            if not inspect(connection).has_table(RASA_EVENTS.name):
                raise StoreUnavailableError(
                    TRACKER, url, "it has no 'events' table (not Rasa's tracker store?)"
                )
            deleted = _deleted(connection.execute(delete(RASA_EVENTS).where(where)))
        with engine.connect() as connection:
            left = int(connection.scalar(select(func.count()).select_from(RASA_EVENTS).where(where)) or 0)
    except (OperationalError, InterfaceError) as exc:
        raise StoreUnavailableError(TRACKER, url, _reason(exc)) from exc
    return deleted, left


def _compact(store: str, engine: Engine) -> list[str]:
    """Rewrite an SQLite file so that no deleted bytes survive in free space or the write-ahead log.

    ``secure_delete`` zeroes what this module deletes, but earlier updates may have left copies in
    free space, and the WAL keeps old page versions until it is truncated.

    Returns:
        The store and why, if the file could not be compacted (e.g. locked); else nothing.
    """
    if engine.dialect.name != "sqlite":
        return []
    try:
        with engine.connect() as connection:
            autocommit = connection.execution_options(isolation_level="AUTOCOMMIT")
            autocommit.exec_driver_sql("VACUUM")
            busy = autocommit.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)").first()
    except OperationalError as exc:
        reason = _reason(exc)
    else:
        if not (busy and busy[0]):
            return []
        reason = "a reader kept its write-ahead log open"
    log.warning("privacy: %s file not compacted: %s", store, reason)
    return [f"{store} file not compacted ({reason}): deleted bytes may remain until the next run"]


def _tracker_engine(url: str) -> Engine:
    """The tracker store's engine; an SQLite file must exist (a missing one means a wrong URL)."""
    _require_file(url, TRACKER)
    return _engine(url)


@lru_cache(maxsize=4)
def _engine(url: str) -> Engine:
    """One engine per tracker-store URL, failing fast when the server does not answer."""
    backend = make_url(url).get_backend_name()
    connect_args: dict[str, Any] = {"sqlite": {"timeout": 10}, "postgresql": {"connect_timeout": 5}}.get(
        backend, {}
    )
    engine = create_engine(url, pool_pre_ping=True, connect_args=connect_args)
    if backend == "sqlite":
        event.listen(engine, "connect", _secure_delete)
    return engine


def _secure_delete(dbapi_connection: Any, _: Any) -> None:
    """Zero what SQLite deletes instead of leaving it in free pages."""
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA secure_delete=ON")
    cursor.close()


@contextmanager
def _gateway(settings: Settings) -> Iterator[Session]:
    """A gateway session; connection failures become StoreUnavailableError."""
    url = settings.database_url
    _require_file(url, GATEWAY)
    try:
        with session_scope(url) as session:
            if session.get_bind().dialect.name == "sqlite":
                session.execute(text("PRAGMA secure_delete=ON"))
            yield session
    except (OperationalError, InterfaceError) as exc:
        raise StoreUnavailableError(GATEWAY, url, _reason(exc)) from exc


def _require_file(url: str, store: str) -> None:
    """Refuse an SQLite URL whose file does not exist: opening it would create an empty store."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite" and not (parsed.database and Path(parsed.database).is_file()):
        raise StoreUnavailableError(store, url, "the file does not exist")


def _reason(exc: OperationalError | InterfaceError) -> str:
    """The driver's first line (e.g. 'Connection refused'), without the statement or its parameters."""
    lines = str(exc.orig).strip().splitlines()
    return lines[0] if lines else type(exc.orig).__name__


def _deleted(result: object) -> int:
    """Rows a bulk DELETE removed."""
    return int(cast(CursorResult[Any], result).rowcount or 0)


def _count(session: Session, model: type[Any], *where: ColumnElement[bool]) -> int:
    """Rows of ``model`` matching ``where``."""
    return int(session.scalar(select(func.count()).select_from(model).where(*where)) or 0)


def _chunks(ids: list[str]) -> Iterator[list[str]]:
    for start in range(0, len(ids), CHUNK):
        yield ids[start : start + CHUNK]


def _summary(erasure: Erasure) -> str:
    """Counts for the audit log (no content)."""
    rasa = erasure["rasa_events"] if erasure["rasa_tracker_erased"] else "NOT erased"
    return (
        f"{erasure['messages']} messages, {erasure['handoffs']} handoffs, {erasure['notes']} notes, "
        f"{erasure['conversations']} conversations, Rasa events {rasa}"
    )
