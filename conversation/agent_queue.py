"""The queue as agents work it: only conversations that can be opened, longest waiting first.

:func:`conversation.handoff.queue` lists every open handoff in the order the handoffs were made.
Agents need two things more, which this module adds on top of it with read-only queries:

* A handoff whose conversation the gateway does not know (the action server records a handoff
  for any sender, e.g. one talking to Rasa's own REST channel; or the conversation's rows were
  purged) cannot be opened, so it is left out instead of leading to an error page.
* The order is who has waited longest for a person: a waiting handoff since it was made; a taken
  one since it was made until its agent first replies, then since the oldest message the agent
  has not answered. Taken conversations where nobody waits come last.

Each item also says which agent has it (``taken_by_id``), so a page can tell the agent's own
conversations apart for notifications.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

from sqlalchemy import select

from conversation import handoff as handoffs
from conversation.clock import as_utc, utcnow
from conversation.db import session_scope
from conversation.models import Conversation, Handoff, Message
from conversation.records import QueueItemPublic
from settings import Settings


def waiting_since(
    handoff_created: dt.datetime, status: str, messages: list[tuple[str, str, dt.datetime]]
) -> dt.datetime | None:
    """Since when the teacher of one open handoff has been waiting for a person; None if not waiting.

    Args:
        handoff_created: When the handoff was made (UTC).
        status: The handoff's status (waiting | taken).
        messages: (role, status, created_at) of the conversation's user and agent messages
            since the handoff was made, oldest first.

    Returns:
        The handoff's time while nobody has replied; after an agent's reply, the time of the
        oldest user message queued since then; None when the agent has answered everything.
    """
    replies = [i for i, (role, _, _) in enumerate(messages) if role == "agent"]
    if status == "waiting" or not replies:
        return handoff_created
    unanswered = [
        created
        for role, state, created in messages[replies[-1] + 1 :]
        if role == "user" and state == "queued"
    ]
    return min(unanswered, default=None)


def agent_queue(settings: Settings) -> list[QueueItemPublic]:
    """Open handoffs of known conversations, the longest-waiting teacher first.

    ``waiting_since`` and ``waiting_seconds`` say how long the teacher has waited (None and 0 when
    nobody waits); ``taken_by_id`` is the agent who has the conversation.
    """
    items = handoffs.queue(settings)
    if not items:
        return []
    ids = {item.conversation_id for item in items}
    with session_scope(settings.database_url) as session:
        known = set(session.scalars(select(Conversation.id).where(Conversation.id.in_(ids))))
        takers = dict(
            session.execute(
                select(Handoff.id, Handoff.taken_by).where(Handoff.id.in_([i.handoff_id for i in items]))
            )
            .tuples()
            .all()
        )
        rows = session.execute(
            select(Message.conversation_id, Message.role, Message.status, Message.created_at)
            .where(Message.conversation_id.in_(known), Message.role.in_(("user", "agent")))
            .order_by(Message.id)
        ).tuples()
        history: dict[str, list[tuple[str, str, dt.datetime]]] = defaultdict(list)
        for conversation_id, role, status, created in rows:
            history[conversation_id].append((role, status, as_utc(created)))
    now = utcnow()
    listed = []
    for item in items:
        if item.conversation_id not in known:
            continue
        since_handoff = [m for m in history[item.conversation_id] if m[2] >= item.created_at]
        since = waiting_since(item.created_at, item.status, since_handoff)
        listed.append(
            item.model_copy(
                update={
                    "taken_by_id": takers.get(item.handoff_id),
                    "waiting_since": since,
                    "waiting_seconds": max(0, int((now - since).total_seconds())) if since else 0,
                }
            )
        )
    return sorted(
        listed, key=lambda i: (i.waiting_since is None, i.waiting_since or i.created_at, i.handoff_id)
    )
