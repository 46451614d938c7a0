"""Typing slips mended against the knowledge base's words (knowledge/spelling.py)."""

from __future__ import annotations

import pytest

from knowledge.spelling import Speller

TEXTS = [
    ("Will my messages be migrated to the new platform?", "en"),
    ("messages in the mailbox, and the TwinSpace of my project", "en"),
    ("Worden mijn berichten gemigreerd?", "nl"),
    ("Ali bodo moja sporočila prenesena?", "sl"),
]


@pytest.mark.unit
@pytest.mark.parametrize(
    ("text", "lang", "mended"),
    [
        ("will my mesages be migrtaed?", "en", "will my messages be migrated?"),  # missing, swapped
        ("my twinspacee", "en", "my twinspace"),  # a letter too many
        ("worden mijn berichtne gemigreerd", "nl", "worden mijn berichten gemigreerd"),
        ("sporocila", "sl", "sporocila"),  # known without its diacritics: left alone
        ("mesages", "nl", "mesages"),  # no Dutch word is one edit away
        ("mailboxes and projekts", "en", "mailboxes and projekts"),  # two edits away: left alone
    ],
)
def test_unknown_words_are_mended_to_a_word_one_edit_away(text: str, lang: str, mended: str) -> None:
    assert Speller(TEXTS).correct(text, lang) == mended


@pytest.mark.unit
def test_the_more_frequent_of_two_candidates_wins() -> None:
    speller = Speller([("project project project", "en"), ("projects", "en")])
    assert speller.suggest("projecst", "en") == "project"  # "projects" is one edit away too, but rarer
    assert speller.suggest("prujects", "en") == "projects"  # only "projects" is one edit away
    assert speller.suggest("prject", "en") == "project"  # a letter missing
    assert speller.suggest("projs", "en") is None  # nothing one edit away
    assert speller.suggest("projectt", "en") == "project"
