"""The helpdesk's figures per agent and per week, from seeded handoffs with known times and ratings."""

from __future__ import annotations

import csv
import datetime as dt
import io
import re

import pytest
from fastapi.testclient import TestClient

from conversation.agent_stats import helpdesk_stats, week_start
from settings import Settings
from tests.bot.console.factories import make_agent
from tests.bot.console.helpdesk_factories import Said, seed_handoff

NOW = dt.datetime.now(dt.UTC)
# Mondays 09:00 UTC two weeks and one week back: always in the past and within 30 days.
WEEK_2 = dt.datetime.combine(week_start(NOW) - dt.timedelta(days=14), dt.time(9), tzinfo=dt.UTC)
WEEK_1 = WEEK_2 + dt.timedelta(days=7)


@pytest.fixture
def team(settings_db: Settings) -> dict[str, int]:
    """Two agents and six handoffs: five in the last two weeks, one older than the window."""
    bram = make_agent(settings_db, "bram@example.org", name="Bram Claes").id
    zoe = make_agent(settings_db, "zoe@example.org", name="Zoë Novak").id
    seed_handoff(  # Bram: answered after 2 min, closed after 10, the teacher gave a thumbs up
        settings_db,
        "web-stats-1",
        at=WEEK_2,
        status="closed",
        agent_id=bram,
        said=(Said("system", 5), Said("agent", 120, rating="up")),
        closed_after=600,
    )
    seed_handoff(  # Bram: answered after 5 min, closed after 30, rated 2 of 5 at the end
        settings_db,
        "web-stats-2",
        at=WEEK_2 + dt.timedelta(days=1),
        status="closed",
        agent_id=bram,
        said=(Said("agent", 300), Said("system", 1900, rating="2")),
        closed_after=1800,
    )
    seed_handoff(  # Zoë: answered after 1 min, still open
        settings_db, "web-stats-3", at=WEEK_1, status="taken", agent_id=zoe, said=(Said("agent", 60),)
    )
    seed_handoff(settings_db, "web-stats-4", at=WEEK_1 + dt.timedelta(days=1))  # nobody took it yet
    seed_handoff(  # Zoë: answered after 4 min, closed after 15, thumbs down; the bot's own rating is not hers
        settings_db,
        "web-stats-5",
        at=WEEK_1 + dt.timedelta(days=2),
        status="closed",
        agent_id=zoe,
        said=(Said("bot", -5, rating="up"), Said("agent", 240, rating="down")),
        closed_after=900,
    )
    seed_handoff(  # outside the 30 days
        settings_db,
        "web-stats-6",
        at=NOW - dt.timedelta(days=40),
        status="closed",
        agent_id=zoe,
        said=(Said("agent", 10, rating="down"),),
        closed_after=20,
    )
    return {"bram": bram, "zoe": zoe}


def test_helpdesk_stats_per_agent_from_seeded_handoffs(settings_db: Settings, team: dict[str, int]) -> None:
    stats = helpdesk_stats(settings_db, 30)
    by_name = {f.label: f for f in stats.per_agent}
    assert list(by_name) == ["Bram Claes", "Zoë Novak"]
    bram, zoe = by_name["Bram Claes"], by_name["Zoë Novak"]
    assert (bram.agent_id, bram.handoffs, bram.answered, bram.closed) == (team["bram"], 2, 2, 2)
    assert (bram.first_response_median, bram.first_response_mean) == (210.0, 210.0)
    assert (bram.time_to_close_median, bram.time_to_close_mean) == (1200.0, 1200.0)
    assert (bram.ratings, bram.satisfied, bram.satisfaction) == (2, 1, 0.5)  # "up" and "2 of 5"
    assert (zoe.handoffs, zoe.answered, zoe.closed) == (2, 2, 1)
    assert (zoe.first_response_median, zoe.time_to_close_median) == (150.0, 900.0)
    assert (zoe.ratings, zoe.satisfied, zoe.satisfaction) == (1, 0, 0.0)


def test_helpdesk_stats_totals_count_handoffs_nobody_took(
    settings_db: Settings, team: dict[str, int]
) -> None:
    total = helpdesk_stats(settings_db, 30).total
    assert (total.handoffs, total.answered, total.closed) == (5, 4, 3)
    assert (total.first_response_median, total.first_response_mean) == (180.0, 180.0)
    assert (total.time_to_close_median, total.time_to_close_mean) == (900.0, 1100.0)
    assert (total.ratings, total.satisfied, total.satisfaction) == (3, 1, 0.333)


def test_helpdesk_stats_per_week_lists_every_week_of_the_period(
    settings_db: Settings, team: dict[str, int]
) -> None:
    stats = helpdesk_stats(settings_db, 30)
    weeks = {f.week_start: f for f in stats.per_week}
    assert [f.week_start for f in stats.per_week] == sorted(weeks)
    now = dt.datetime.now(dt.UTC)
    assert min(weeks) <= (now - dt.timedelta(days=30)).date() and max(weeks) == week_start(now)
    assert all(w.weekday() == 0 for w in weeks)
    assert weeks[WEEK_2.date()].label == f"{WEEK_2:%G-W%V}"
    assert (weeks[WEEK_2.date()].handoffs, weeks[WEEK_2.date()].first_response_median) == (2, 210.0)
    assert (weeks[WEEK_1.date()].handoffs, weeks[WEEK_1.date()].answered) == (3, 2)
    assert weeks[WEEK_1.date()].first_response_median == 150.0
    assert sum(f.handoffs for f in stats.per_week) == 5
    assert helpdesk_stats(settings_db, 7).total.handoffs <= 3  # a shorter window sees less


def test_helpdesk_stats_rating_belongs_to_handoff_until_the_next_one(settings_db: Settings) -> None:
    bram = make_agent(settings_db, "bram@example.org", name="Bram Claes").id
    zoe = make_agent(settings_db, "zoe@example.org", name="Zoë Novak").id
    seed_handoff(
        settings_db,
        "web-twice-1",
        at=WEEK_2,
        status="closed",
        agent_id=bram,
        said=(Said("agent", 60, rating="up"),),
        closed_after=120,
    )
    seed_handoff(  # the same teacher comes back an hour later; Zoë helps, and gets a 5
        settings_db,
        "web-twice-1",
        at=WEEK_2 + dt.timedelta(hours=1),
        status="closed",
        agent_id=zoe,
        said=(Said("agent", 30), Said("system", 200, rating="5")),
        closed_after=180,
        again=True,
    )
    by_name = {f.label: f for f in helpdesk_stats(settings_db, 30).per_agent}
    assert (by_name["Bram Claes"].ratings, by_name["Bram Claes"].first_response_median) == (1, 60.0)
    assert (by_name["Zoë Novak"].ratings, by_name["Zoë Novak"].satisfied) == (1, 1)
    assert by_name["Zoë Novak"].first_response_median == 30.0


def test_helpdesk_stats_without_handoffs_is_empty_not_an_error(settings_db: Settings) -> None:
    stats = helpdesk_stats(settings_db, 7)
    assert stats.per_agent == [] and stats.total.handoffs == 0
    assert stats.total.first_response_median is None and stats.total.satisfaction is None
    assert all(f.handoffs == 0 for f in stats.per_week)


def test_helpdesk_stats_api_returns_the_figures(
    agent_client: tuple[TestClient, str], team: dict[str, int]
) -> None:
    client, _ = agent_client
    data = client.get("/console/api/analytics/helpdesk?days=30").json()
    assert data["days"] == 30 and data["total"]["handoffs"] == 5
    assert [f["label"] for f in data["per_agent"]] == ["Bram Claes", "Zoë Novak"]
    assert client.get("/console/api/analytics/helpdesk?days=0").status_code == 422


def test_helpdesk_csv_in_agent_language_with_rows_per_agent_and_week(
    agent_client: tuple[TestClient, str], team: dict[str, int]
) -> None:
    client, _ = agent_client
    client.cookies.set("nso_console_lang", "nl", path="/console")
    response = client.get("/console/analytics/helpdesk.csv?days=30")
    assert response.status_code == 200 and response.headers["content-type"] == "text/csv; charset=utf-8"
    assert re.match(
        r'attachment; filename="helpdesk-30d-\d{8}-\d{4}\.csv"', response.headers["content-disposition"]
    )
    rows = list(csv.reader(io.StringIO(response.text.removeprefix("\ufeff"))))
    assert rows[0][:4] == ["Indeling", "Medewerker of week", "Week vanaf", "Overdrachten"]
    assert rows[1][:6] == ["Alle", "", "", "5", "4", "180"]
    bram = next(r for r in rows if r[1] == "Bram Claes")
    assert bram == [
        "Medewerker",
        "Bram Claes",
        "",
        "2",
        "2",
        "210",
        "210",
        "2",
        "1200",
        "1200",
        "2",
        "1",
        "50",
    ]
    weeks = [r for r in rows if r[0] == "Week"]
    assert len(weeks) == len(helpdesk_stats_weeks(client)) and any(r[3] == "3" for r in weeks)


def helpdesk_stats_weeks(client: TestClient) -> list[dict[str, object]]:
    weeks: list[dict[str, object]] = client.get("/console/api/analytics/helpdesk?days=30").json()["per_week"]
    return weeks


COMMENT = 'Quick <b>and</b> kind <script>alert("x")</script>'


def test_helpdesk_stats_lists_rating_comments_with_agent_newest_first(settings_db: Settings) -> None:
    bram = make_agent(settings_db, "bram@example.org", name="Bram Claes").id
    for n, at in enumerate((WEEK_2, WEEK_1)):
        seed_handoff(
            settings_db,
            f"web-comment-{n}",
            at=at,
            status="closed",
            agent_id=bram,
            said=(Said("agent", 60), Said("system", 120, rating=str(4 + n), comment=f"{COMMENT} {n}")),
            closed_after=120,
        )
    seed_handoff(  # a rating without a comment is not listed
        settings_db, "web-comment-x", at=WEEK_1, status="closed", said=(Said("system", 60, rating="3"),)
    )
    comments = helpdesk_stats(settings_db, 30).comments
    assert [(c.conversation_id, c.rating, c.comment, c.agent) for c in comments] == [
        ("web-comment-1", "5", f"{COMMENT} 1", "Bram Claes"),
        ("web-comment-0", "4", f"{COMMENT} 0", "Bram Claes"),
    ]


def test_rating_comment_on_the_conversation_page_is_escaped(
    agent_client: tuple[TestClient, str], settings_db: Settings
) -> None:
    client, _ = agent_client
    seed_handoff(
        settings_db,
        "web-commented",
        at=WEEK_1,
        status="closed",
        said=(Said("system", 60, "The chat has ended.", rating="5", comment=COMMENT),),
        closed_after=60,
    )
    page = client.get("/console/conversations/web-commented").text
    assert "<script>alert" not in page and "<b>and</b>" not in page
    assert "Quick &lt;b&gt;and&lt;/b&gt; kind &lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;" in page
    assert 'rated <span data-slot="rating">5 of 5</span>' in page
    transcript = client.get("/console/api/conversations/web-commented").json()
    assert [m["rating_comment"] for m in transcript["messages"] if m["rating"]] == [COMMENT]
    data = client.get("/console/api/analytics/helpdesk?days=30").json()
    assert [(c["conversation_id"], c["comment"]) for c in data["comments"]] == [("web-commented", COMMENT)]


def test_analytics_page_tables_have_captions_and_header_scopes(agent_client: tuple[TestClient, str]) -> None:
    client, _ = agent_client
    page = client.get("/console/analytics").text
    tables = re.findall(r"<table.*?</table>", page, re.S)
    assert len(tables) == 8  # five charts, per agent, per week, rating comments
    for table in tables:
        assert re.search(r"<caption>[^<]+", table), table
        assert 'scope="col"' in table and "<th>" not in table
    assert page.count('data-chart="') == 5 and page.count('aria-hidden="true"></div>') >= 5
