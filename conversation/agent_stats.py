"""The helpdesk's own figures: first-response time, time to close and rating, per agent and per week.

Read-only queries over the handoff and message tables, for the analytics page and its CSV export.
For every handoff made in the period:

* **first response**: from the handoff to the first message an agent sent in the conversation
  while it was open (the "agent joined" notice is a system message and does not count);
* **time to close**: from the handoff to its closing (closing and handing back both close it);
* **rating**: what the teacher rated from the handoff until the conversation's next handoff, on
  the agent's replies and the helpdesk's own messages (not on the assistant's answers, which
  the assistant's feedback figures count). Thumbs up, or 4-5 on a 1-5 scale, is satisfied.

A handoff belongs to the agent who took it over (else to the agent who replied first), and to the
ISO week (Monday to Sunday, UTC) in which it was made.
"""

from __future__ import annotations

import datetime as dt
import statistics
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from sqlalchemy import select

from conversation.clock import as_utc, utcnow
from conversation.db import session_scope
from conversation.models import Agent, Handoff, Message
from conversation.records import HelpdeskFiguresPublic, HelpdeskStatsPublic, RatingCommentPublic
from settings import Settings

SATISFIED = frozenset({"up", "4", "5"})
RATED = SATISFIED | {"down", "1", "2", "3"}


@dataclass
class HandledHandoff:
    """What happened to one handoff: who had it, and how long answering and closing took."""

    handoff_id: int
    agent_id: int | None
    created_at: dt.datetime
    first_response: float | None = None  # seconds
    time_to_close: float | None = None  # seconds
    ratings: list[str] = field(default_factory=list)


def week_start(moment: dt.datetime) -> dt.date:
    """The Monday of ``moment``'s ISO week (UTC)."""
    day = as_utc(moment).date()
    return day - dt.timedelta(days=day.weekday())


def handled_handoffs(settings: Settings, since: dt.datetime) -> list[HandledHandoff]:
    """Every handoff made since ``since`` with its agent, response and closing times and ratings."""
    with session_scope(settings.database_url) as session:
        made = session.scalars(select(Handoff).where(Handoff.created_at >= since).order_by(Handoff.id)).all()
        ids = {h.conversation_id for h in made}
        later = defaultdict(list)  # every handoff of those conversations, to end each one's rating window
        for conversation_id, created in session.execute(
            select(Handoff.conversation_id, Handoff.created_at).where(Handoff.conversation_id.in_(ids))
        ).tuples():
            later[conversation_id].append(as_utc(created))
        messages = defaultdict(list)
        columns = (
            Message.conversation_id,
            Message.role,
            Message.agent_id,
            Message.rating,
            Message.created_at,
        )
        for conversation_id, role, agent_id, rating, created in session.execute(
            select(*columns)
            .where(
                Message.conversation_id.in_(ids),
                Message.role.in_(("agent", "system")),
                (Message.role == "agent") | Message.rating.is_not(None),
            )
            .order_by(Message.id)
        ).tuples():
            messages[conversation_id].append((role, agent_id, rating, as_utc(created)))
        handled = []
        for h in made:
            created = as_utc(h.created_at)
            closed = as_utc(h.closed_at) if h.closed_at else None
            until = min((t for t in later[h.conversation_id] if t > created), default=None)
            replies = [
                (agent_id, at)
                for role, agent_id, _, at in messages[h.conversation_id]
                if role == "agent" and at >= created and (closed is None or at <= closed)
            ]
            handled.append(
                HandledHandoff(
                    handoff_id=h.id,
                    agent_id=h.taken_by or (replies[0][0] if replies else None),
                    created_at=created,
                    first_response=(replies[0][1] - created).total_seconds() if replies else None,
                    time_to_close=(closed - created).total_seconds() if closed else None,
                    ratings=[
                        rating
                        for _, _, rating, at in messages[h.conversation_id]
                        if rating in RATED and at >= created and (until is None or at < until)
                    ],
                )
            )
        return handled


def rating_comments(settings: Settings, since: dt.datetime) -> list[RatingCommentPublic]:
    """The comments teachers left with a rating since ``since``, newest first.

    Each names the agent who had the conversation's last handoff before the rating, if any.
    """
    with session_scope(settings.database_url) as session:
        names = dict(session.execute(select(Agent.id, Agent.name)).tuples().all())
        rated = session.execute(
            select(Message.conversation_id, Message.rating, Message.rating_comment, Message.created_at)
            .where(Message.rating_comment.is_not(None), Message.created_at >= since)
            .order_by(Message.id.desc())
        ).tuples()
        comments = []
        for conversation_id, rating, comment, created in rated:
            taker = session.scalar(
                select(Handoff.taken_by)
                .where(Handoff.conversation_id == conversation_id, Handoff.created_at <= created)
                .order_by(Handoff.id.desc())
                .limit(1)
            )
            comments.append(
                RatingCommentPublic(
                    conversation_id=conversation_id,
                    rating=rating or "",
                    comment=comment or "",
                    agent=names.get(taker) if taker else None,
                    created_at=as_utc(created),
                )
            )
        return comments


def _median(values: Sequence[float]) -> float | None:
    return round(statistics.median(values), 1) if values else None


def _mean(values: Sequence[float]) -> float | None:
    return round(statistics.fmean(values), 1) if values else None


def figures(label: str, handoffs: Iterable[HandledHandoff], **key: object) -> HelpdeskFiguresPublic:
    """The figures of a group of handoffs (``key``: the group's agent_id or week_start)."""
    group = list(handoffs)
    responses = [h.first_response for h in group if h.first_response is not None]
    closes = [h.time_to_close for h in group if h.time_to_close is not None]
    ratings = [r for h in group for r in h.ratings]
    satisfied = sum(1 for r in ratings if r in SATISFIED)
    return HelpdeskFiguresPublic.model_validate(
        {
            "label": label,
            **key,
            "handoffs": len(group),
            "answered": len(responses),
            "first_response_median": _median(responses),
            "first_response_mean": _mean(responses),
            "closed": len(closes),
            "time_to_close_median": _median(closes),
            "time_to_close_mean": _mean(closes),
            "ratings": len(ratings),
            "satisfied": satisfied,
            "satisfaction": round(satisfied / len(ratings), 3) if ratings else None,
        }
    )


def helpdesk_stats(settings: Settings, days: int = 30) -> HelpdeskStatsPublic:
    """First response, time to close and rating of the last ``days`` days' handoffs.

    Args:
        settings: Application settings (database).
        days: Length of the window, ending now.

    Returns:
        The totals; one row per agent who had a handoff (by name); one row per ISO week of the
        window, oldest first, weeks without handoffs included.
    """
    now = utcnow()
    since = now - dt.timedelta(days=days)
    handled = handled_handoffs(settings, since)
    with session_scope(settings.database_url) as session:
        names = dict(session.execute(select(Agent.id, Agent.name)).tuples().all())
    by_agent: dict[int, list[HandledHandoff]] = defaultdict(list)
    by_week: dict[dt.date, list[HandledHandoff]] = defaultdict(list)
    for h in handled:
        if h.agent_id is not None:
            by_agent[h.agent_id].append(h)
        by_week[week_start(h.created_at)].append(h)
    weeks = []
    week = week_start(since)
    while week <= now.date():
        weeks.append(week)
        week += dt.timedelta(days=7)
    return HelpdeskStatsPublic(
        days=days,
        since=since,
        total=figures("", handled),
        per_agent=sorted(
            (figures(names.get(a, "?"), group, agent_id=a) for a, group in by_agent.items()),
            key=lambda f: (f.label.casefold(), f.agent_id),
        ),
        per_week=[figures(f"{w:%G-W%V}", by_week[w], week_start=w) for w in weeks],
        comments=rating_comments(settings, since),
    )
