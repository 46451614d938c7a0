"""Erasure and retention purge on real SQLite files: the gateway database and a tracker store
with Rasa 3.6's ``events`` table (the real Rasa server's copy: tests/integration/test_privacy.py)."""

from __future__ import annotations

import datetime as dt
import socket
from collections.abc import Callable, Mapping
from pathlib import Path

import pytest
from sqlalchemy import update

from bot.__main__ import main as cli
from conversation.db import session_scope
from conversation.models import Message
from conversation.privacy import StoreUnavailableError, erase_conversation, purge_older_than
from settings import Settings
from tests.conversation.factories import (
    add_conversation,
    add_events,
    event_texts,
    message_texts,
    privacy_settings,
    rows,
)

pytestmark = pytest.mark.unit

NOW = dt.datetime.now(dt.UTC)  # the CLI purges relative to the real clock
EMAIL = "jan.peeters@school.be"
GONE = {"conversations": 0, "messages": 0, "handoffs": 0, "notes": 0, "rasa_events": 0}


def days_ago(days: float, now: dt.datetime = NOW) -> dt.datetime:
    return now - dt.timedelta(days=days)


def closed_port() -> int:
    """A loopback port nobody listens on."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture
def stores(tmp_path: Path) -> Settings:
    """Two conversations with personal data in both stores, one of them with an open handoff."""
    settings = privacy_settings(tmp_path)
    turns = [(days_ago(2), f"Hello, my email is {EMAIL}"), (days_ago(0.5), "a person please")]
    for cid, status in (("web-erase00001", "closed"), ("web-keep000001", "waiting")):
        add_conversation(
            settings, cid, days_ago(2), turns, handoff=(status, days_ago(0.5)), note_at=days_ago(0.5)
        )
        add_events(settings, cid, turns)
    return settings


@pytest.fixture
def cli_settings(stores: Settings, nso_env: Callable[[Mapping[str, str]], Settings]) -> Settings:
    """The CLI reads these stores (through NSO_* and get_settings)."""
    return nso_env({"database_url": stores.database_url, "rasa_tracker_url": stores.rasa_tracker_url})


def test_settings_rasa_tracker_url_defaults_to_the_endpoints_yml_sqlite_file() -> None:
    root = Path(__file__).resolve().parents[2]
    assert "db: var/rasa_tracker.db" in (root / "endpoints.yml").read_text(encoding="utf-8")
    assert (
        Settings.model_fields["rasa_tracker_url"].default == f"sqlite:///{root / 'var' / 'rasa_tracker.db'}"
    )


def test_erase_deletes_rows_in_every_store_and_finds_none_left(stores: Settings) -> None:
    assert rows(stores, "web-erase00001") == {
        **GONE,
        "conversations": 1,
        "messages": 2,
        "handoffs": 1,
        "notes": 1,
        "rasa_events": 2,
    }
    result = erase_conversation(stores, "web-erase00001")
    assert result == {
        "messages": 2,
        "handoffs": 1,
        "notes": 1,
        "contacts": 0,
        "conversations": 1,
        "rasa_events": 2,
        "left": {
            "notes": 0,
            "contacts": 0,
            "messages": 0,
            "handoffs": 0,
            "conversations": 0,
            "rasa_events": 0,
        },
        "rasa_tracker_erased": True,
        "rasa_error": "",
        "residue": [],
    }
    assert rows(stores, "web-erase00001") == GONE
    assert rows(stores, "web-keep000001") == {
        **GONE,
        "conversations": 1,
        "messages": 2,
        "handoffs": 1,
        "notes": 1,
        "rasa_events": 2,
    }


def file_bytes(path: Path) -> bytes:
    """An SQLite file with its write-ahead log and rollback journal, if any."""
    return b"".join(p.read_bytes() for p in path.parent.glob(path.name + "*"))


def test_erase_leaves_no_copy_in_the_sqlite_files(stores: Settings, tmp_path: Path) -> None:
    gateway, tracker = tmp_path / "gateway.db", tmp_path / "tracker.db"
    with session_scope(stores.database_url) as session:  # an update leaves the old row's bytes behind
        session.execute(update(Message).values(status="answered"))
    assert EMAIL.encode() in file_bytes(gateway) and EMAIL.encode() in file_bytes(tracker)
    erase_conversation(stores, "web-keep000001")
    assert erase_conversation(stores, "web-erase00001")["residue"] == []
    assert EMAIL.encode() not in file_bytes(gateway)
    assert EMAIL.encode() not in file_bytes(tracker)


def test_erase_unknown_conversation_deletes_nothing_and_reports_erased(stores: Settings) -> None:
    result = erase_conversation(stores, "web-nosuchconv")
    assert result["rasa_tracker_erased"] and result["rasa_events"] == result["messages"] == 0
    assert rows(stores, "web-erase00001")["messages"] == 2


@pytest.mark.parametrize(
    ("tracker_url", "reason"),
    [
        ("sqlite:///{tmp}/no-such-dir/tracker.db", "the file does not exist"),
        ("sqlite:///{tmp}/gateway.db", "no 'events' table"),
        ("postgresql+psycopg://rasa:secret@127.0.0.1:{port}/rasa", "Connection refused"),
    ],
    ids=["missing-file", "not-a-tracker-store", "postgres-down"],
)
def test_erase_tracker_store_unreachable_deletes_gateway_rows_and_says_not_erased(
    stores: Settings, tmp_path: Path, tracker_url: str, reason: str
) -> None:
    url = tracker_url.format(tmp=tmp_path, port=closed_port())
    result = erase_conversation(stores.model_copy(update={"rasa_tracker_url": url}), "web-erase00001")
    assert result["rasa_tracker_erased"] is False and result["rasa_events"] == 0
    assert "Rasa tracker store not reachable" in result["rasa_error"] and reason in result["rasa_error"]
    assert "secret" not in result["rasa_error"]
    assert rows(stores, "web-erase00001") == {**GONE, "rasa_events": 2}


def test_erase_gateway_unreachable_raises_and_leaves_the_tracker_alone(stores: Settings) -> None:
    down = stores.model_copy(
        update={"database_url": f"postgresql+psycopg://nso@127.0.0.1:{closed_port()}/nso"}
    )
    with pytest.raises(StoreUnavailableError, match="gateway database not reachable"):
        erase_conversation(down, "web-erase00001")
    assert rows(stores, "web-erase00001")["rasa_events"] == 2


def test_purge_keeps_an_old_conversation_with_a_recent_message(tmp_path: Path) -> None:
    settings = privacy_settings(tmp_path)
    old, recent = (days_ago(40), f"my email is {EMAIL}"), (days_ago(0.1), "still there?")
    add_conversation(settings, "web-longchat01", days_ago(40), [old, recent], note_at=days_ago(40))
    add_events(settings, "web-longchat01", [old, recent])
    result = purge_older_than(settings, days=30, now=NOW)
    assert result["erased"] == [] and result["conversations"] == 0
    assert message_texts(settings, "web-longchat01") == ["still there?"]
    assert event_texts(settings, "web-longchat01") == ["still there?"]
    assert rows(settings, "web-longchat01") == {**GONE, "conversations": 1, "messages": 1, "rasa_events": 1}
    assert (result["messages"], result["notes"], result["rasa_events"]) == (1, 1, 1)
    assert result["rasa_tracker_erased"] and not any(result["left"].values())


@pytest.mark.parametrize("status", ["waiting", "taken"])
def test_purge_never_touches_a_conversation_with_an_open_handoff(tmp_path: Path, status: str) -> None:
    settings = privacy_settings(tmp_path)
    add_conversation(
        settings,
        "web-waiting001",
        days_ago(40),
        [(days_ago(40), EMAIL)],
        (status, days_ago(40)),
        days_ago(40),
    )
    add_events(settings, "web-waiting001", [(days_ago(40), EMAIL)])
    result = purge_older_than(settings, days=30, now=NOW)
    assert result["kept_open"] == ["web-waiting001"] and result["erased"] == []
    assert rows(settings, "web-waiting001") == {
        **GONE,
        "conversations": 1,
        "messages": 1,
        "handoffs": 1,
        "notes": 1,
        "rasa_events": 1,
    }


def test_purge_erases_an_idle_conversation_whole_in_every_store(tmp_path: Path) -> None:
    settings = privacy_settings(tmp_path)
    add_conversation(
        settings,
        "web-idle000001",
        days_ago(50),
        [(days_ago(45), EMAIL)],
        ("closed", days_ago(44)),
        days_ago(44),
    )
    add_events(settings, "web-idle000001", [(days_ago(45), EMAIL)])
    add_conversation(settings, "web-fresh00001", days_ago(50), [(days_ago(1), "hello")])
    result = purge_older_than(settings, days=30, now=NOW)
    assert result["erased"] == ["web-idle000001"]
    assert rows(settings, "web-idle000001") == GONE
    assert rows(settings, "web-fresh00001")["messages"] == 1
    assert (result["conversations"], result["handoffs"], result["notes"], result["rasa_events"]) == (
        1,
        1,
        1,
        1,
    )
    assert EMAIL.encode() not in file_bytes(tmp_path / "tracker.db")
    assert EMAIL.encode() not in file_bytes(tmp_path / "gateway.db")


def test_purge_keeps_a_recently_closed_handoff_and_its_conversation(tmp_path: Path) -> None:
    settings = privacy_settings(tmp_path)
    add_conversation(
        settings, "web-closed0001", days_ago(40), [(days_ago(40), EMAIL)], ("closed", days_ago(3))
    )
    result = purge_older_than(settings, days=30, now=NOW)
    assert result["erased"] == [] and result["messages"] == 1
    assert rows(settings, "web-closed0001") == {**GONE, "conversations": 1, "handoffs": 1}


def test_purge_deletes_old_rasa_events_the_gateway_does_not_know(tmp_path: Path) -> None:
    """E.g. left behind by an erasure while the tracker store was down."""
    settings = privacy_settings(tmp_path)
    add_events(settings, "web-orphan0001", [(days_ago(31), EMAIL), (days_ago(29), "recent")])
    result = purge_older_than(settings, days=30, now=NOW)
    assert result["rasa_events"] == 1 and event_texts(settings, "web-orphan0001") == ["recent"]


def test_cli_erase_prints_counts_per_store_and_exits_0(
    cli_settings: Settings, capsys: pytest.CaptureFixture[str]
) -> None:
    assert cli(["privacy", "erase", "web-erase00001"]) == 0
    out = capsys.readouterr().out
    assert "2 messages, 1 handoffs, 1 notes, 1 conversations deleted" in out
    assert "Rasa tracker store 2 events deleted" in out
    assert "0 rows left in notes, contacts, messages, handoffs, conversations, rasa_events" in out
    assert rows(cli_settings, "web-erase00001") == GONE


def test_cli_erase_tracker_unreachable_exits_1_and_says_not_erased(
    cli_settings: Settings,
    nso_env: Callable[[Mapping[str, str]], Settings],
    capsys: pytest.CaptureFixture[str],
) -> None:
    nso_env({"rasa_tracker_url": f"postgresql+psycopg://rasa@127.0.0.1:{closed_port()}/rasa"})
    assert cli(["privacy", "erase", "web-erase00001"]) == 1
    out, err = capsys.readouterr()
    assert "Rasa tracker store NOT erased: Rasa tracker store not reachable at postgresql" in err
    assert "run this command again" in err and "events deleted" not in out and "left in" not in out


def test_cli_erase_gateway_unreachable_exits_1_and_deletes_nothing(
    cli_settings: Settings,
    nso_env: Callable[[Mapping[str, str]], Settings],
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    nso_env({"database_url": f"sqlite:///{tmp_path / 'moved-away.db'}"})
    assert cli(["privacy", "erase", "web-erase00001"]) == 1
    err = capsys.readouterr().err
    assert (
        "NOT erased web-erase00001: gateway database not reachable" in err
        and "the file does not exist" in err
    )
    assert rows(cli_settings, "web-erase00001")["rasa_events"] == 2


def test_cli_purge_reports_and_keeps_open_handoffs(
    cli_settings: Settings, capsys: pytest.CaptureFixture[str]
) -> None:
    assert cli(["privacy", "purge", "--days", "1"]) == 0
    out = capsys.readouterr().out
    assert "1 with an open handoff left untouched" in out and "0 rows left" in out
    assert rows(cli_settings, "web-keep000001")["messages"] == 2
    assert rows(cli_settings, "web-erase00001") == {
        **GONE,
        "conversations": 1,
        "messages": 1,
        "handoffs": 1,
        "notes": 1,
        "rasa_events": 1,
    }


def test_cli_purge_tracker_unreachable_exits_1(
    cli_settings: Settings,
    nso_env: Callable[[Mapping[str, str]], Settings],
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    nso_env({"rasa_tracker_url": f"sqlite:///{tmp_path / 'nowhere.db'}"})
    assert cli(["privacy", "purge", "--days", "1"]) == 1
    assert "the file does not exist" in capsys.readouterr().err
