"""The KB validator: the real KB is clean; broken files give file:line messages."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from knowledge.validate import validate

KB = Path(__file__).resolve().parents[2] / "knowledge" / "kb"
pytestmark = pytest.mark.unit


def test_validate_real_kb_has_no_problems() -> None:
    assert [str(p) for p in validate(KB)] == []


def test_validate_cli_exits_zero_on_real_kb() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "knowledge", "validate"], check=False, capture_output=True, text=True
    )
    assert done.returncode == 0, done.stderr
    assert "0 problem(s)" in done.stderr


@pytest.fixture
def kb_copy(tmp_path: Path) -> Path:
    for path in KB.glob("*.yml"):
        shutil.copy(path, tmp_path / path.name)
    return tmp_path


def _edit(path: Path, old: str, new: str) -> int:
    """Replace the first ``old`` in ``path``; return its 1-based line number."""
    text = path.read_text(encoding="utf-8")
    pos = text.index(old)
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    return text[:pos].count("\n") + 1


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        ("id: nl-contacts-followers", "id: nl-profile-pictures", "duplicate entry id"),
        ("entry: ec-en-contacts-followers", "entry: ec-en-no-such-entry", "no entry 'ec-en-no-such-entry'"),
        ("topic: contacts-followers", "topic: contacts-and-friends", "unknown topic"),
        ("language: nl", "language: de", "document.language"),
        ("date: 2023-10-17", "date: 2023-02-31", "document.date"),
        ('section: "eTwinning, vraag 11"', "sectie: x", "entries"),
    ],
)
def test_validate_broken_file_reports_file_and_line(kb_copy: Path, old: str, new: str, message: str) -> None:
    target = kb_copy / "nso-flanders-faq-nl.yml"
    line = _edit(target, old, new)
    problems = validate(kb_copy)
    hits = [p for p in problems if p.path == target and message in p.message]
    assert hits, [str(p) for p in problems]
    assert any(abs(p.line - line) <= 3 for p in hits), [str(p) for p in hits]


def test_validate_one_way_conflict_link_is_reported(kb_copy: Path) -> None:
    target = kb_copy / "ec-faq-en.yml"
    _edit(target, "entry: nl-contacts-followers", "entry: nl-profile-pictures")
    problems = [str(p) for p in validate(kb_copy)]
    assert any("does not link back" in p for p in problems), problems
