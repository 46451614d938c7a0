"""Backups of the database (SQLite online backup, PostgreSQL pg_dump) and of the KB restore to
what was backed up: the same rows in every table, the same KB files byte for byte."""

from __future__ import annotations

import shutil
import tarfile
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path

import pytest
from sqlalchemy import create_engine, func, inspect, select, text

from bench.backing import postgres
from bot.__main__ import main
from conversation.backup import BackupError, backup_database, backup_kb, restore_database, restore_kb
from conversation.db import Base, engine_for, session_scope
from conversation.models import Conversation, Handoff, Message
from settings import ROOT, Settings


def add_rows(url: str, prefix: str, n: int = 3) -> None:
    """``n`` conversations, each with two messages and a waiting handoff."""
    with session_scope(url) as session:
        for i in range(n):
            cid = f"{prefix}-{i}"
            session.add(Conversation(id=cid, channel="web", language="nl"))
            session.flush()
            session.add_all(
                [
                    Message(conversation_id=cid, role="user", text="Hoe registreer ik?", language="nl"),
                    Message(conversation_id=cid, role="bot", text="Met EU Login.", kind="faq"),
                    Handoff(conversation_id=cid, language="nl", reason="requested", status="waiting"),
                ]
            )


def row_counts(url: str) -> dict[str, int]:
    engine = create_engine(url)
    try:
        with engine.connect() as connection:
            return {
                table: connection.execute(
                    select(func.count()).select_from(Base.metadata.tables[table])
                ).scalar_one()
                for table in inspect(connection).get_table_names()
                if table in Base.metadata.tables
            }
    finally:
        engine.dispose()


def check_round_trip(url: str, backup_file: Path) -> None:
    engine_for(url)
    add_rows(url, "kept")
    saved = row_counts(url)
    backup_database(url, backup_file)
    add_rows(url, "after-backup", 2)
    with session_scope(url) as session:
        session.execute(text("DELETE FROM messages WHERE conversation_id = 'kept-0'"))
    assert row_counts(url) != saved
    restore_database(url, backup_file)
    assert row_counts(url) == saved and saved["messages"] == 6 and saved["conversations"] == 3
    with session_scope(url) as session:
        assert session.get(Conversation, "after-backup-0") is None
        assert session.scalar(select(func.count()).where(Message.conversation_id == "kept-0")) == 2


@pytest.mark.integration
def test_backup_sqlite_restores_identical_row_counts(tmp_path: Path) -> None:
    check_round_trip(f"sqlite:///{tmp_path / 'live.db'}", tmp_path / "backups" / "nso.db")


@pytest.fixture(scope="module")
def pg_url() -> Iterator[str]:
    with postgres() as pg:
        yield f"postgresql+psycopg://postgres@127.0.0.1:{pg.port}/{pg.create_database('backup')}"


@pytest.mark.integration
@pytest.mark.slow
def test_backup_postgresql_restores_identical_row_counts(pg_url: str, tmp_path: Path) -> None:
    check_round_trip(pg_url, tmp_path / "nso.dump")


@pytest.mark.unit
def test_backup_postgresql_without_pg_dump_says_so(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setattr(shutil, "which", lambda _: None)
    with pytest.raises(BackupError, match="pg_dump is not on PATH"):
        backup_database("postgresql+psycopg://nso:pw@127.0.0.1/nso", tmp_path / "nso.dump")


@pytest.mark.unit
def test_restore_database_refuses_a_file_that_is_not_sqlite(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'live.db'}"
    engine_for(url)
    add_rows(url, "kept", 1)
    bogus = tmp_path / "bogus.db"
    bogus.write_bytes(b"not a database at all" * 100)
    with pytest.raises(BackupError, match="not an SQLite database"):
        restore_database(url, bogus)
    assert row_counts(url)["conversations"] == 1


def tree(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


@pytest.mark.unit
def test_backup_kb_restores_the_same_files(tmp_path: Path) -> None:
    kb = tmp_path / "kb"
    shutil.copytree(ROOT / "knowledge" / "kb", kb)
    saved = tree(kb)
    backup_kb(kb, tmp_path / "kb.tar.gz")
    next(kb.glob("*.yml")).unlink()
    (kb / "draft.yml").write_text("entries: []\n", encoding="utf-8")
    restore_kb(kb, tmp_path / "kb.tar.gz")
    assert tree(kb) == saved and not list(tmp_path.glob(".kb-restore-*"))


@pytest.mark.unit
def test_restore_kb_refuses_an_archive_without_kb_and_keeps_the_kb(tmp_path: Path) -> None:
    kb = tmp_path / "kb"
    kb.mkdir()
    (kb / "faq.yml").write_text("entries: []\n", encoding="utf-8")
    other = tmp_path / "other.tar.gz"
    with tarfile.open(other, "w:gz") as archive:
        archive.add(kb / "faq.yml", arcname="faq.yml")
    with pytest.raises(BackupError, match="no kb/ folder"):
        restore_kb(kb, other)
    assert tree(kb) == {"faq.yml": b"entries: []\n"}


@pytest.mark.unit
def test_backup_cli_round_trip(
    nso_env: Callable[[Mapping[str, str]], Settings], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    settings = nso_env({"database_url": f"sqlite:///{tmp_path / 'live.db'}"})
    engine_for(settings.database_url)
    add_rows(settings.database_url, "cli", 2)
    assert main(["backup", "db", str(tmp_path / "b.db")]) == 0
    add_rows(settings.database_url, "later", 1)
    assert main(["restore", "db", str(tmp_path / "b.db")]) == 0
    assert row_counts(settings.database_url)["conversations"] == 2
    assert main(["restore", "db", str(tmp_path / "missing.db")]) == 1
    assert "error: no backup at" in capsys.readouterr().err
