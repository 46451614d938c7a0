"""Transcripts: search by text, date, language, channel, outcome, feedback; CSV export."""

from __future__ import annotations

import csv
import datetime as dt
import io

import pytest
from fastapi.testclient import TestClient

from conversation.transcripts import CSV_COLUMNS
from settings import Settings
from tests.bot.console.factories import (
    SOURCE,
    Turn,
    answer_turn,
    missed_turn,
    seed_conversation,
    waiting_conversation,
)

pytestmark = pytest.mark.integration

LAST_YEAR = dt.datetime(2025, 3, 14, 10, 0, tzinfo=dt.UTC)


@pytest.fixture
def seeded(settings_db: Settings) -> Settings:
    seed_conversation(
        settings_db,
        "web-answered1",
        [Turn("user", "How do I join a group?"), answer_turn("Press Join.", rating="up")],
    )
    seed_conversation(
        settings_db,
        "tg-55501",
        [Turn("user", "Wat is een kwaliteitslabel?"), missed_turn("nl")],
        channel="telegram",
        language="nl",
        at=LAST_YEAR,
    )
    waiting_conversation(settings_db, "web-handoff01")
    seed_conversation(
        settings_db,
        "web-formula1",
        [Turn("user", '=HYPERLINK("http://evil")'), answer_turn("Hm.", rating="down")],
        language="sl",
    )
    return settings_db


def _ids(client: TestClient, query: str) -> set[str]:
    page = client.get(f"/console/transcripts?{query}")
    assert page.status_code == 200
    return {
        cid
        for cid in ("web-answered1", "tg-55501", "web-handoff01", "web-formula1")
        if f'/console/conversations/{cid}"' in page.text
    }


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("", {"web-answered1", "tg-55501", "web-handoff01", "web-formula1"}),
        ("q=kwaliteitslabel", {"tg-55501"}),
        ("q=JOIN", {"web-answered1", "web-handoff01"}),
        ("language=nl", {"tg-55501"}),
        ("channel=telegram", {"tg-55501"}),
        ("outcome=handoff", {"web-handoff01"}),
        ("outcome=unanswered", {"tg-55501"}),
        ("outcome=answered", {"web-answered1", "web-formula1"}),
        ("feedback=down", {"web-formula1"}),
        ("date_to=2025-12-31", {"tg-55501"}),
        ("date_from=2025-03-14&date_to=2025-03-14", {"tg-55501"}),
        (
            "date_from=2026-01-01&language=&channel=&outcome=",
            {"web-answered1", "web-handoff01", "web-formula1"},
        ),
        ("q=%25", set()),  # LIKE wildcards are searched for literally
    ],
)
def test_transcripts_filters(
    agent_client: tuple[TestClient, str], seeded: Settings, query: str, expected: set[str]
) -> None:
    client, _ = agent_client
    assert _ids(client, query) == expected


def test_transcripts_bad_filter_is_422(agent_client: tuple[TestClient, str]) -> None:
    client, _ = agent_client
    assert client.get("/console/transcripts?language=de").status_code == 422


def test_transcripts_csv_has_one_row_per_message_and_no_formulas(
    agent_client: tuple[TestClient, str], seeded: Settings
) -> None:
    client, _ = agent_client
    response = client.get("/console/transcripts.csv")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/csv")
    assert response.headers["content-disposition"].startswith('attachment; filename="transcripts-')
    rows = list(csv.DictReader(io.StringIO(response.text)))
    assert tuple(rows[0]) == CSV_COLUMNS
    assert len(rows) == 2 + 2 + 4 + 2
    answered = [r for r in rows if r["conversation_id"] == "web-answered1"]
    assert [r["role"] for r in answered] == ["user", "bot"]
    assert answered[1]["kind"] == "faq" and answered[1]["rating"] == "up"
    assert answered[1]["result"] == "answered" and answered[1]["sources"] == SOURCE
    assert {r["outcome"] for r in rows if r["conversation_id"] == "web-handoff01"} == {"handoff"}
    formula = next(r for r in rows if r["conversation_id"] == "web-formula1" and r["role"] == "user")
    assert formula["text"] == '\'=HYPERLINK("http://evil")'


def test_transcripts_csv_uses_the_filters(agent_client: tuple[TestClient, str], seeded: Settings) -> None:
    client, _ = agent_client
    rows = list(csv.DictReader(io.StringIO(client.get("/console/transcripts.csv?channel=telegram").text)))
    assert {r["conversation_id"] for r in rows} == {"tg-55501"}
    assert rows[1]["kind"] == "fallback" and rows[1]["outcome"] == "unanswered"


def test_transcripts_page_links_csv_with_same_filters(
    agent_client: tuple[TestClient, str], seeded: Settings
) -> None:
    client, _ = agent_client
    page = client.get("/console/transcripts?language=nl&q=label").text
    assert 'href="/console/transcripts.csv?q=label&amp;language=nl"' in page
