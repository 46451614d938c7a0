"""Console analytics: volume, feedback, handoff rate, and the questions the assistant misses.

A question is *missed* when the assistant had no answer (asked to rephrase, or said it is out of
scope), offered alternatives because it was unsure (clarify), or passed the conversation to a
person: what each reply was is stored with it (``Message.kind``, from the turn). Missed
questions are grouped by meaning with the project's own encoder, so the KB maintainer sees
"12 teachers asked about X" instead of 12 lines, and gets a draft KB entry to complete.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
import yaml
from sqlalchemy import select

from conversation.clock import as_utc, utcnow
from conversation.db import session_scope
from conversation.models import Conversation, Handoff, Message
from conversation.records import (
    AnalyticsPublic,
    ClusterPublic,
    ClusterQuestionPublic,
    CountPublic,
    FeedbackStatsPublic,
)
from conversation.redact import redact
from conversation.reply_items import ANSWERS, ReplyKind
from knowledge.retrieve import Retriever
from knowledge.schema import LANGS
from settings import Settings

# e5 cosine between paraphrases of one question is ~0.88-0.95, between unrelated helpdesk
# questions ~0.76-0.85 (measured on the project's encoder), so 0.87 keeps paraphrases together.
CLUSTER_THRESHOLD = 0.87
MAX_MISSED = 2000  # newest missed questions clustered per request
MAX_CLUSTERS = 30
MAX_SHOWN = 10  # questions listed per cluster
MISSED_KINDS = ("fallback", "clarify", "handoff")


@dataclass
class Question:
    """A message the user typed, with what the assistant did with it."""

    text: str
    lang: str
    conversation_id: str
    kind: str  # answered | clarify | fallback | handoff | requested | queued | other


@dataclass
class Cluster:
    """Missed questions close in meaning; ``centroid`` is the normalised mean of their vectors."""

    members: list[int] = field(default_factory=list)
    centroid: np.ndarray | None = None


def classify(messages: Sequence[Message], language: str) -> list[Question]:
    """What happened to each typed question of one conversation (messages in id order).

    Args:
        messages: The conversation's messages, oldest first.
        language: The conversation's language (for messages stored without one).

    Returns:
        One Question per message the user typed (button presses are not questions). When the
        user asks for a person after an answer, that answer did not help: the question before
        the request counts as handed off.
    """
    questions: list[Question] = []
    default = language if language in LANGS else "en"
    for i, m in enumerate(messages):
        if m.role != "user":
            continue
        kinds: list[str] = []
        requested = False
        for reply in messages[i + 1 :]:
            if reply.role == "user":
                break
            if reply.role == "bot" and reply.kind:
                kinds.append("answered" if reply.kind in ANSWERS else reply.kind)
                requested |= reply.kind == ReplyKind.HANDOFF and reply.result == "requested"
        if requested and questions and questions[-1].kind == "answered":
            questions[-1].kind = "handoff"
        if m.payload is not None:
            continue
        kind: str | None = next((k for k in MISSED_KINDS if k in kinds), None)
        if kind == "handoff" and requested:
            kind = "requested"
        if kind is None:
            kind = "answered" if "answered" in kinds else "queued" if m.status == "queued" else "other"
        # Redacted: clusters feed KB drafts, which end up in the repository.
        questions.append(Question(redact(m.text), m.language or default, m.conversation_id, kind))
    return questions


def cluster(vectors: np.ndarray, threshold: float = CLUSTER_THRESHOLD) -> list[list[int]]:
    """Greedy threshold clustering of L2-normalised vectors, biggest cluster first.

    Each vector joins the cluster whose centroid is most similar if that cosine is at least
    ``threshold``, else starts a new one. Order-dependent but deterministic and O(n·k),
    which is plenty for a helpdesk's missed questions.
    """
    clusters: list[Cluster] = []
    for i, v in enumerate(vectors):
        sims = [float(c.centroid @ v) for c in clusters if c.centroid is not None]
        best = int(np.argmax(sims)) if sims else -1
        if best >= 0 and sims[best] >= threshold:
            target = clusters[best]
        else:
            target = Cluster()
            clusters.append(target)
        target.members.append(i)
        mean = vectors[target.members].mean(axis=0)
        target.centroid = mean / (np.linalg.norm(mean) or 1.0)
    return [c.members for c in sorted(clusters, key=lambda c: (-len(c.members), c.members[0]))]


def _slug(text: str, words: int = 6) -> str:
    folded = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().lower()
    parts = re.findall(r"[a-z0-9]+", folded)[:words]
    return "-".join(parts) or "new-topic"


def kb_draft(
    questions: Sequence[ClusterQuestionPublic],
    representative: ClusterQuestionPublic,
    nearest: tuple[str, float] | None,
    today: dt.date,
) -> str:
    """A KB entry (knowledge/kb format) for the maintainer to complete and paste under ``entries:``.

    The representative question is the official question in its language; the other questions
    become paraphrases in theirs. Everything the maintainer must write from a source document
    is marked TODO, but the snippet already has every field a KB entry needs.
    """
    lang = representative.lang
    slug = _slug(representative.text)
    paraphrases: dict[str, list[str]] = defaultdict(list)
    for q in questions:
        if (
            q.text != representative.text
            and q.text not in paraphrases[q.lang]
            and len(paraphrases[q.lang]) < 6
        ):
            paraphrases[q.lang].append(q.text)
    entry = {
        "id": f"todo-{slug}",
        "topic": slug,
        "section": "TODO: where the source document says this",
        "tags": ["todo"],
        "question": {
            code: representative.text if code == lang else f"TODO: translate from {lang}" for code in LANGS
        },
        "paraphrases": {code: paraphrases[code] for code in LANGS if paraphrases[code]},
        "answer": {
            code: (
                {"text": "TODO: the answer as the source document states it"}
                if code == lang
                else {"text": f"TODO: translate from {lang}", "translated_from": lang}
            )
            for code in LANGS
        },
    }
    if not entry["paraphrases"]:
        del entry["paraphrases"]
    header = [
        f"# Draft KB entry from {len(questions)} missed question(s), {today.isoformat()}.",
        "# Paste under `entries:` of the source document's file in knowledge/kb/, rename the id to",
        "# <document prefix>-<topic>, add the topic to knowledge/topics.yml, write the answer from",
        "# the document, then run `python -m knowledge validate`.",
    ]
    if nearest is not None:
        header.append(
            f"# Nearest existing topic: {nearest[0]} (confidence {nearest[1]:.2f}); "
            "if it is the same question, add paraphrases there instead."
        )
    body = str(yaml.safe_dump([entry], allow_unicode=True, sort_keys=False, width=1000))
    return "\n".join(header) + "\n" + body


def _counts(counter: Counter[str], order: Sequence[str] = ()) -> list[CountPublic]:
    labels = [*order, *sorted(k for k in counter if k not in order)]
    return [CountPublic(label=k, count=counter[k]) for k in labels]


def analytics(settings: Settings, retriever: Retriever, days: int = 30) -> AnalyticsPublic:
    """Statistics of the last ``days`` days and the missed questions grouped by meaning.

    Args:
        settings: Application settings (database).
        retriever: The shared retriever: its encoder groups questions, its search names the
            nearest existing topic of each group.
        days: Length of the window, ending now.
    """
    now = utcnow()
    since = now - dt.timedelta(days=days)
    with session_scope(settings.database_url) as session:
        messages = session.scalars(
            select(Message).where(Message.created_at >= since).order_by(Message.conversation_id, Message.id)
        ).all()
        ids = {m.conversation_id for m in messages}
        convs = {c.id: c for c in session.scalars(select(Conversation).where(Conversation.id.in_(ids)))}
        handoffs = session.scalars(
            select(Handoff).where(Handoff.conversation_id.in_(ids)).order_by(Handoff.id)
        ).all()
        session.expunge_all()
    by_conv: dict[str, list[Message]] = defaultdict(list)
    for m in messages:
        by_conv[m.conversation_id].append(m)
    handed = {h.conversation_id for h in handoffs if as_utc(h.created_at) >= since}

    per_day: Counter[str] = Counter()
    per_language: Counter[str] = Counter()
    per_channel: Counter[str] = Counter()
    feedback: dict[str, Counter[str]] = defaultdict(Counter)
    active: set[str] = set()
    questions: list[Question] = []
    for cid, rows in by_conv.items():
        conv = convs.get(cid)
        language, channel = (conv.language, conv.channel) if conv else ("?", "?")
        for m in rows:
            if m.role == "user":
                active.add(cid)
                per_day[as_utc(m.created_at).date().isoformat()] += 1
                per_language[language] += 1
                per_channel[channel] += 1
            elif m.role == "bot" and m.rating in ("up", "down"):
                feedback[language][m.rating] += 1
        questions += classify(rows, language)

    up = sum(c["up"] for c in feedback.values())
    down = sum(c["down"] for c in feedback.values())
    day_labels = [(since.date() + dt.timedelta(days=i)).isoformat() for i in range(days + 1)]
    return AnalyticsPublic(
        days=days,
        since=since,
        conversations=len(active),
        user_messages=sum(per_day.values()),
        questions=len(questions),
        handoffs=len(handed & active),
        handoff_rate=round(len(handed & active) / len(active), 3) if active else None,
        outcomes=dict(Counter(q.kind for q in questions)),
        feedback=FeedbackStatsPublic(
            up=up,
            down=down,
            satisfaction=round(up / (up + down), 3) if up + down else None,
            by_language={lang: dict(c) for lang, c in sorted(feedback.items())},
        ),
        per_day=[CountPublic(label=d, count=per_day[d]) for d in day_labels],
        per_language=_counts(per_language, settings.languages),
        per_channel=_counts(per_channel, ("web", "telegram")),
        clusters=missed_clusters(retriever, [q for q in questions if q.kind in MISSED_KINDS], now.date()),
    )


def missed_clusters(retriever: Retriever, missed: list[Question], today: dt.date) -> list[ClusterPublic]:
    """Group missed questions by meaning; each group gets its nearest topic and a KB draft."""
    missed = missed[-MAX_MISSED:]
    if not missed:
        return []
    vectors = retriever.embedder.encode([q.text for q in missed], "query")
    result = []
    for members in cluster(vectors)[:MAX_CLUSTERS]:
        centroid = vectors[members].mean(axis=0)
        rep = missed[members[int(np.argmax(vectors[members] @ centroid))]]
        shown = [
            ClusterQuestionPublic(text=q.text, lang=q.lang, kind=q.kind, conversation_id=q.conversation_id)
            for q in (missed[i] for i in members)
        ]
        representative = ClusterQuestionPublic(
            text=rep.text, lang=rep.lang, kind=rep.kind, conversation_id=rep.conversation_id
        )
        _, hits = retriever.search(rep.text, rep.lang, 1)
        nearest = (hits[0].faq_id, round(hits[0].confidence, 3)) if hits else None
        result.append(
            ClusterPublic(
                size=len(members),
                representative=rep.text,
                kinds=dict(Counter(q.kind for q in shown)),
                languages=dict(Counter(q.lang for q in shown)),
                questions=shown[:MAX_SHOWN],
                nearest_topic=nearest[0] if nearest else None,
                nearest_confidence=nearest[1] if nearest else None,
                draft=kb_draft(shown, representative, nearest, today),
            )
        )
    return result
