"""Which FAQ topics a rule speaks to (knowledge/rules/topics.py)."""

from __future__ import annotations

import pytest

from knowledge.rules import list_rules
from knowledge.rules.topics import entry_topic, main_topic, rule_topics, rules_for_topic

pytestmark = pytest.mark.unit


def test_entry_topic_strips_the_document_prefix() -> None:
    assert entry_topic("ec-en-groups-migration") == "groups-migration"
    assert entry_topic("nl-contacts-followers") == "contacts-followers"


def test_every_rule_speaks_to_some_topic() -> None:
    assert all(rule_topics(r.name) for r in list_rules())


@pytest.mark.parametrize(
    ("topic", "rules"),
    [
        ("groups-migration", ["group_migration"]),
        ("mailbox-messages", ["mailbox_migration"]),
        ("school-label", ["school_label"]),
        ("contacts-followers", []),  # the rule has no inputs: the FAQ answer says it all
    ],
)
def test_rules_for_topic_offers_the_checks_with_inputs(topic: str, rules: list[str]) -> None:
    assert rules_for_topic(topic) == rules


def test_main_topic_is_the_most_cited() -> None:
    assert main_topic("group_migration") == "groups-migration"
