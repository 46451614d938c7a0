"""Analytics numbers on a seeded database, missed-question clusters and their KB drafts."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pytest
import yaml
from fastapi.testclient import TestClient

from conversation.records import ClusterQuestionPublic
from conversation.analytics import classify, cluster, kb_draft
from conversation.models import Message
from conversation.replies import reply_kind, split_sources
from knowledge.schema import Entry
from settings import Settings
from tests.console.factories import Turn, answer_text, handoff_text, response_text, seed_conversation

CLARIFY_BUTTONS = [
    {"title": "How do I register on ESEP?", "payload": '/ask_faq{"faq_id": "register-eu-login"}'},
    {"title": "Forgot e-mail", "payload": '/ask_faq{"faq_id": "forgot-email"}'},
]
NOW = dt.datetime.now(dt.UTC) - dt.timedelta(hours=1)


@pytest.fixture
def seeded(settings_db: Settings) -> Settings:
    """Five conversations in the last 30 days (and one older) with known outcomes."""
    rephrase = response_text("utter_faq_rephrase")
    seed_conversation(  # two misses about the same thing
        settings_db,
        "web-a0000001",
        [
            Turn("user", "How do I reset my EU Login password?"),
            Turn("bot", rephrase),
            Turn("user", "I forgot my EU Login password, how can I reset it?"),
            Turn("bot", rephrase),
        ],
        at=NOW,
    )
    seed_conversation(  # the same question in Dutch: unsure, alternatives offered
        settings_db,
        "web-b0000001",
        [
            Turn("user", "Hoe reset ik mijn EU Login wachtwoord?"),
            Turn("bot", response_text("utter_faq_clarify", "nl"), buttons=CLARIFY_BUTTONS),
        ],
        language="nl",
        at=NOW,
    )
    seed_conversation(  # a miss, then the second miss goes to a person
        settings_db,
        "tg-100001",
        [
            Turn("user", "When is the next eTwinning webinar?"),
            Turn("bot", rephrase),
            Turn("user", "where can I find the webinar schedule"),
            Turn("bot", handoff_text()),
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
            Turn("bot", answer_text("Press Join."), rating="up"),
            Turn("user", "Talk to a person", payload="/ask_human"),
            Turn("bot", handoff_text()),
        ],
        handoff="requested",
        at=NOW - dt.timedelta(days=2),
    )
    seed_conversation(  # answered, rated down
        settings_db,
        "web-e0000001",
        [Turn("user", "Kdaj je bil zagnan ESEP?"), Turn("bot", answer_text("Maja 2022."), rating="down")],
        language="sl",
        at=NOW,
    )
    seed_conversation(  # outside the window
        settings_db,
        "web-f0000001",
        [Turn("user", "Old question about quality labels"), Turn("bot", rephrase)],
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
    assert data["outcomes"] == {"rephrase": 3, "clarify": 1, "handoff": 2, "answered": 1}
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
    assert clusters[0]["kinds"] == {"rephrase": 2, "clarify": 1}
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
@pytest.mark.parametrize(
    ("text", "buttons", "kind"),
    [
        (response_text("utter_faq_rephrase", "sl"), [], "rephrase"),
        (response_text("utter_out_of_scope", "nl"), [], "rephrase"),
        (response_text("utter_faq_clarify", "en"), CLARIFY_BUTTONS, "clarify"),
        ("Anything", CLARIFY_BUTTONS, "clarify"),
        (handoff_text("Ma-vr 9-17", "nl"), [], "handoff"),
        (answer_text("Yes."), [], "answer"),
        ("Ja.\n\nBronnen: EC FAQ; Flemish NSO", [], "answer"),
        (response_text("utter_greet", "en"), [], "other"),
    ],
)
def test_reply_kind_recognises_domain_responses(text: str, buttons: list[dict[str, str]], kind: str) -> None:
    assert reply_kind(text, buttons) == kind


@pytest.mark.unit
def test_split_sources_separates_source_lines() -> None:
    assert split_sources("Yes, it moved.\n\nSource: EC FAQ (2022), q1") == (
        "Yes, it moved.",
        ["Source: EC FAQ (2022), q1"],
    )
    assert split_sources("No source here") == ("No source here", [])


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
        Message(id=2, conversation_id="c", role="bot", text=answer_text("Press Join."), buttons=[]),
        Message(
            id=3,
            conversation_id="c",
            role="user",
            text="I want a human",
            payload=None,
            status="answered",
            buttons=[],
        ),
        Message(id=4, conversation_id="c", role="bot", text=handoff_text(), buttons=[]),
        Message(
            id=5, conversation_id="c", role="user", text="hello?", payload=None, status="queued", buttons=[]
        ),
    ]
    kinds = [(q.text, q.kind) for q in classify(messages, ["requested"], "en")]
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
        Message(id=2, conversation_id="c", role="bot", text=response_text("utter_faq_rephrase"), buttons=[]),
    ]
    [question] = classify(messages, [], "en")
    assert "jan@school.be" not in question.text and "470" not in question.text
    assert question.kind == "rephrase"


@pytest.mark.unit
def test_kb_draft_for_single_question_has_no_paraphrases_and_validates() -> None:
    q = ClusterQuestionPublic(text="Kako ponastavim geslo?", lang="sl", kind="rephrase", conversation_id="c")
    draft = kb_draft([q], q, None, dt.date(2026, 11, 26))
    entry = Entry.model_validate(yaml.safe_load(draft)[0])
    assert entry.question["sl"] == "Kako ponastavim geslo?" and entry.paraphrases == {}
    assert entry.id == "todo-kako-ponastavim-geslo" and entry.answer["en"].translated_from == "sl"
