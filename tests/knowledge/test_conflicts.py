"""The recorded disagreements: whole, linked both ways, and listed in the generated CONFLICTS.md."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from knowledge.conflicts import CONFLICTS_FILE, Disagreement, disagreements, links_by_disagreement, render
from knowledge.loader import KnowledgeBase, load_kb

KB = Path(__file__).resolve().parents[2] / "knowledge" / "kb"
pytestmark = pytest.mark.unit

# The audit of the five documents: every disagreement found (knowledge/kb/README.md, "Disagreements").
AUDIT = {
    "contacts-not-migrated": "high",
    "twinspaces-not-migrated": "high",
    "nql-procedure-today": "high",
    "partner-finding-reinstated": "high",
    "running-project-new-twinspace": "high",
    "forgot-email-ask-nso": "medium",
    "activity-data-migration": "medium",
    "groups-migration-timing": "medium",
    "nql-deadline": "medium",
    "sl-nql-two-deadlines": "medium",
    "progression-score": "medium",
    "profile-events-partial": "medium",
    "profile-picture-migrated": "medium",
    "email-match-scope": "low",
    "group-window-end": "low",
    "label-cutoff": "low",
    "old-projects-kept": "low",
    "progression-bar-unavailable": "low",
    "group-members-active": "low",
    "new-app-date": "low",
    "available-checkbox-label": "low",
}


@pytest.fixture(scope="module")
def kb() -> KnowledgeBase:
    return load_kb(KB)


def _found(kb: KnowledgeBase) -> dict[str, Disagreement]:
    return {d.id: d for d in disagreements(kb)}


def test_conflicts_kb_records_every_disagreement_of_the_audit(kb: KnowledgeBase) -> None:
    assert {d: f.severity for d, f in _found(kb).items()} == AUDIT


@pytest.mark.parametrize("disagreement", sorted(AUDIT))
def test_conflicts_every_link_of_a_disagreement_is_linked_back(kb: KnowledgeBase, disagreement: str) -> None:
    links = links_by_disagreement(kb.entries)[disagreement]
    for link in links:
        for target in link.conflict.targets:
            back = [c for c in kb.entries[target].conflicts_with if c.key(target) == disagreement]
            assert any(link.owner in c.targets for c in back), f"{target} does not link back to {link.owner}"


@pytest.mark.parametrize("disagreement", sorted(AUDIT))
def test_conflicts_each_side_quotes_its_source(kb: KnowledgeBase, disagreement: str) -> None:
    found = _found(kb)[disagreement]
    assert found.sides[0] and found.sides[1]
    for side in found.sides:
        for party in side:
            assert " ".join(party.says.split()) in " ".join(
                next(
                    a.text for a in kb.entries[party.entry].answer.values() if a.translated_from is None
                ).split()
            )


def test_conflicts_inside_one_answer_puts_the_entry_on_both_sides(kb: KnowledgeBase) -> None:
    found = _found(kb)["sl-nql-two-deadlines"]
    assert [p.entry for side in found.sides for p in side] == ["sl-nql-application"] * 2
    assert {p.says for side in found.sides for p in side} == {
        "Rok je 31. 5. 2022.",
        "do zaprtja stare platforme v drugem polletju leta 2022",
    }
    assert found.noted_in == ("ec-en-nql-application",)


def test_conflicts_list_is_generated_from_the_kb(kb: KnowledgeBase) -> None:
    committed = (KB / CONFLICTS_FILE).read_text(encoding="utf-8")
    assert committed == render(kb), "CONFLICTS.md is stale: run 'python -m knowledge conflicts'"


def test_conflicts_list_names_both_sides_and_the_note_of_each(kb: KnowledgeBase) -> None:
    text = render(kb)
    assert f"{len(AUDIT)} disagreements" in text
    for found in disagreements(kb):
        assert f". {found.id}\n" in text
        assert found.differs.en in text
        for side in found.sides:
            for party in side:
                assert f"(`{party.entry}`): “{party.says}”" in text


def test_conflicts_cli_check_passes_on_committed_list() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "knowledge", "conflicts", "--check"],
        check=False,
        capture_output=True,
        text=True,
    )
    assert done.returncode == 0, done.stderr
