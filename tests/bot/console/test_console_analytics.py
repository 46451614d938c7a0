"""Analytics numbers on a seeded database, missed-question clusters and their KB drafts."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pytest
import yaml
from fastapi.testclient import TestClient

from conversation.analytics import classify, cluster, kb_draft
from conversation.handoff import message_record
from conversation.models import Message
from conversation.records import ClusterQuestionPublic
from knowledge.schema import Entry
from settings import Settings
from tests.bot.console.factories import (
    SOURCE,
    Turn,
    answer_turn,
    clarify_turn,
    handoff_turn,
    missed_turn,
    seed_conversation,
)

CLARIFY_BUTTONS = [
    {"title": "How do I register on ESEP?", "payload": '/ask_faq{"faq_id": "register-eu-login"}'},
    {"title": "Forgot e-mail", "payload": '/ask_faq{"faq_id": "forgot-email"}'},
]
NOW = dt.datetime.now(dt.UTC) - dt.timedelta(hours=1)


@pytest.fixture
def seeded(settings_db: Settings) -> Settings:
    """Five conversations in the last 30 days (and one older) with known outcomes."""
    rephrase = missed_turn()
    seed_conversation(  # two misses about the same thing
        settings_db,
        "web-a0000001",
        [
            Turn("user", "How do I reset my EU Login password?"),
            rephrase,
            Turn("user", "I forgot my EU Login password, how can I reset it?"),
            rephrase,
        ],
        at=NOW,
    )
    seed_conversation(  # the same question in Dutch: unsure, alternatives offered
        settings_db,
        "web-b0000001",
        [
            Turn("user", "Hoe reset ik mijn EU Login wachtwoord?"),
            clarify_turn(CLARIFY_BUTTONS, "nl"),
        ],
        language="nl",
        at=NOW,
    )
    seed_conversation(  # a miss, then the second miss goes to a person
        settings_db,
        "tg-100001",
        [
            Turn("user", "When is the next eTwinning webinar?"),
            rephrase,
            Turn("user", "where can I find the webinar schedule"),
            handoff_turn("fallback"),
        ],
        channel="telegram",
        handoff="fallback",
        at=NOW,
    )
    seed_conversation(  # answered, but the teacher then asked for a person
        settings_db,
        "web-d0000001",
        [
            Turn("user", "How do I join a group?"),
            answer_turn("Press Join.", rating="up"),
            Turn("user", "Talk to a person", payload="/ask_human"),
            handoff_turn("requested"),
        ],
        handoff="requested",
        at=NOW - dt.timedelta(days=2),
    )
    seed_conversation(  # answered, rated down
        settings_db,
        "web-e0000001",
        [Turn("user", "Kdaj je bil zagnan ESEP?"), answer_turn("Maja 2022.", rating="down")],
        language="sl",
        at=NOW,
    )
    seed_conversation(  # outside the window
        settings_db,
        "web-f0000001",
        [Turn("user", "Old question about quality labels"), rephrase],
        at=NOW - dt.timedelta(days=45),
    )
    return settings_db


@pytest.mark.integration
def test_analytics_numbers_on_seeded_db(agent_client: tuple[TestClient, str], seeded: Settings) -> None:
    client, _ = agent_client
    data = client.get("/console/api/analytics?days=30").json()
    assert data["conversations"] == 5
    assert data["user_messages"] == 8
    assert data["questions"] == 7  # the "talk to a person" button press is not a question
    assert data["handoffs"] == 2 and data["handoff_rate"] == 0.4
    assert data["outcomes"] == {"fallback": 3, "clarify": 1, "handoff": 2, "answered": 1}
    assert (
        data["feedback"]["up"] == 1
        and data["feedback"]["down"] == 1
        and data["feedback"]["satisfaction"] == 0.5
    )
    assert data["feedback"]["by_language"] == {"en": {"up": 1}, "sl": {"down": 1}}
    assert {c["label"]: c["count"] for c in data["per_language"]} == {"en": 6, "nl": 1, "sl": 1}
    assert {c["label"]: c["count"] for c in data["per_channel"]} == {"web": 6, "telegram": 2}
    assert len(data["per_day"]) == 31 and sum(d["count"] for d in data["per_day"]) == 8
    two_days_ago = (NOW - dt.timedelta(days=2)).date().isoformat()
    assert {d["label"]: d["count"] for d in data["per_day"]}[two_days_ago] == 2


@pytest.mark.integration
def test_analytics_groups_missed_questions_by_meaning(
    agent_client: tuple[TestClient, str], seeded: Settings
) -> None:
    client, _ = agent_client
    clusters = client.get("/console/api/analytics?days=30").json()["clusters"]
    groups = [sorted(q["text"] for q in c["questions"]) for c in clusters]
    assert groups[0] == sorted(
        [
            "How do I reset my EU Login password?",
            "I forgot my EU Login password, how can I reset it?",
            "Hoe reset ik mijn EU Login wachtwoord?",
        ]
    )
    assert sorted(["When is the next eTwinning webinar?", "where can I find the webinar schedule"]) in groups
    assert ["How do I join a group?"] in groups  # answered, then the teacher asked for a person
    assert clusters[0]["size"] == 3 and clusters[0]["languages"] == {"en": 2, "nl": 1}
    assert clusters[0]["kinds"] == {"fallback": 2, "clarify": 1}
    assert clusters[0]["nearest_topic"] == "register-eu-login"
    assert "Old question" not in str(clusters)


@pytest.mark.integration
def test_analytics_draft_kb_entry_is_valid_kb_yaml(
    agent_client: tuple[TestClient, str], seeded: Settings
) -> None:
    client, _ = agent_client
    for found in client.get("/console/api/analytics").json()["clusters"]:
        snippet = yaml.safe_load(found["draft"])
        assert isinstance(snippet, list) and len(snippet) == 1
        entry = Entry.model_validate(snippet[0])  # every field a KB entry needs, with the right types
        assert {entry.question[lang] for lang in ("en", "nl", "sl")} & {q["text"] for q in found["questions"]}
        assert entry.id.startswith("todo-") and entry.tags == ["todo"]
        assert found["draft"].startswith("# Draft KB entry")
    first = yaml.safe_load(client.get("/console/api/analytics").json()["clusters"][0]["draft"])[0]
    assert first["question"]["en"] in {
        "How do I reset my EU Login password?",
        "I forgot my EU Login password, how can I reset it?",
    }
    assert first["paraphrases"]["nl"] == ["Hoe reset ik mijn EU Login wachtwoord?"]
    assert first["answer"]["nl"]["translated_from"] == "en"


@pytest.mark.integration
def test_analytics_page_is_served(agent_client: tuple[TestClient, str]) -> None:
    client, _ = agent_client
    page = client.get("/console/analytics")
    assert page.status_code == 200 and "/static/console/analytics.js" in page.text


@pytest.mark.integration
@pytest.mark.parametrize("days", [0, 366, "x"])
def test_analytics_bad_period_is_422(agent_client: tuple[TestClient, str], days: object) -> None:
    client, _ = agent_client
    assert client.get(f"/console/api/analytics?days={days}").status_code == 422


# --- units --------------------------------------------------------------------------------------


@pytest.mark.unit
def test_cluster_threshold_groups_close_vectors() -> None:
    a, b = np.array([1.0, 0.0, 0.0]), np.array([0.0, 1.0, 0.0])
    near_a = np.array([0.95, 0.31, 0.0]) / np.linalg.norm([0.95, 0.31, 0.0])
    vectors = np.stack([a, b, near_a, b]).astype(np.float32)
    assert cluster(vectors, threshold=0.9) == [[0, 2], [1, 3]]
    assert cluster(vectors, threshold=0.99) == [[1, 3], [0], [2]]


@pytest.mark.unit
def test_cluster_empty_input_gives_no_clusters() -> None:
    assert cluster(np.zeros((0, 3), dtype=np.float32)) == []


@pytest.mark.unit
def test_message_record_shows_the_lines_citing_the_stored_sources_apart() -> None:
    answer = answer_turn("Yes, it moved.")
    stored = {"conversation_id": "c", "status": "sent", "buttons": [], "created_at": NOW}
    bot = Message(id=1, role="bot", text=answer.text, kind=answer.kind, sources=answer.sources, **stored)
    shown = message_record(bot, {})
    assert (shown.body, shown.sources, shown.kind) == ("Yes, it moved.", [f"Source: {SOURCE}"], "faq")
    user = message_record(Message(id=2, role="user", text="Source: me", **stored), {})
    assert (user.body, user.sources, user.kind) == ("Source: me", [], None)


def _bot(id_: int, turn: Turn) -> Message:
    return Message(
        id=id_, conversation_id="c", role="bot", text=turn.text, kind=turn.kind, result=turn.result
    )


@pytest.mark.unit
def test_classify_requested_handoff_marks_previous_answered_question() -> None:
    messages = [
        Message(
            id=1,
            conversation_id="c",
            role="user",
            text="How do I join a group?",
            payload=None,
            status="answered",
            buttons=[],
        ),
        _bot(2, answer_turn("Press Join.")),
        Message(
            id=3,
            conversation_id="c",
            role="user",
            text="I want a human",
            payload=None,
            status="answered",
            buttons=[],
        ),
        _bot(4, handoff_turn("requested")),
        Message(
            id=5, conversation_id="c", role="user", text="hello?", payload=None, status="queued", buttons=[]
        ),
    ]
    kinds = [(q.text, q.kind) for q in classify(messages, "en")]
    assert kinds == [
        ("How do I join a group?", "handoff"),
        ("I want a human", "requested"),
        ("hello?", "queued"),
    ]


@pytest.mark.unit
def test_classify_redacts_emails_and_phone_numbers() -> None:
    messages = [
        Message(
            id=1,
            conversation_id="c",
            role="user",
            text="I am jan@school.be, call +32 470 12 34 56",
            payload=None,
            status="answered",
            buttons=[],
        ),
        _bot(2, missed_turn()),
    ]
    [question] = classify(messages, "en")
    assert "jan@school.be" not in question.text and "470" not in question.text
    assert question.kind == "fallback"


@pytest.mark.unit
def test_kb_draft_for_single_question_has_no_paraphrases_and_validates() -> None:
    q = ClusterQuestionPublic(text="Kako ponastavim geslo?", lang="sl", kind="fallback", conversation_id="c")
    draft = kb_draft([q], q, None, dt.date(2026, 11, 26))
    entry = Entry.model_validate(yaml.safe_load(draft)[0])
    assert entry.question["sl"] == "Kako ponastavim geslo?" and entry.paraphrases == {}
    assert entry.id == "todo-kako-ponastavim-geslo" and entry.answer["en"].translated_from == "sl"
