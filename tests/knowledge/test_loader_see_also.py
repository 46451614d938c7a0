"""A topic's "see also" links over all its documents (knowledge/loader.py)."""

from __future__ import annotations

import pytest

from knowledge.loader import load_kb
from settings import get_settings


@pytest.mark.unit
def test_see_also_joins_every_entry_of_the_topic_once_and_never_itself() -> None:
    kb = load_kb(get_settings().kb_dir)
    for topic in kb.topics.values():
        links = topic.see_also()
        assert len(links) == len(set(links)) and topic.id not in links
        assert set(links) == {t for e in topic.entries for t in e.see_also} - {topic.id}
        assert all(t in kb.topics for t in links)
    assert "further-support" in kb.topics["twinspace-content"].see_also()  # only the Flemish FAQ's
