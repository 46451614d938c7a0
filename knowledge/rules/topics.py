"""Which FAQ topics a rule speaks to, read from the sources of its facts.

Every fact a rule rests on cites a knowledge-base entry (``<document prefix>-<topic>``), so the
topics a rule can say more about are known without a second list: an FAQ answer on "Which
eTwinning Groups were migrated" can offer the personal check of ``group_migration``, and a
question the check intent caught but the FAQ answers on an unrelated topic is answered, not
turned into a form.
"""

from __future__ import annotations

from collections import Counter
from functools import lru_cache

from knowledge.rules.loader import load_rulebook
from knowledge.rules.schema import ENTRY_PREFIXES

MIN_CITATIONS = 2
"""A rule is offered under a topic that its facts cite at least this often, or most often."""


def entry_topic(entry_id: str) -> str:
    """The topic of a KB entry id (``ec-en-groups-migration`` -> ``groups-migration``)."""
    for prefix in sorted(ENTRY_PREFIXES, key=len, reverse=True):
        if entry_id.startswith(prefix + "-"):
            return entry_id[len(prefix) + 1 :]
    return entry_id


@lru_cache(maxsize=1)
def _citations() -> dict[str, Counter[str]]:
    book = load_rulebook()
    found: dict[str, Counter[str]] = {}
    for name, rule in book.rules.items():
        facts = [f for outcome in rule.outcomes() for f in (*outcome.reasons, *outcome.deadlines)]
        facts += [criterion.reason for criterion in rule.criteria]
        found[name] = Counter(entry_topic(book.facts[f].source.entry) for f in facts if f in book.facts)
    return found


def rule_topics(rule: str) -> list[str]:
    """The topics a rule's facts cite, most cited first (empty for an unknown rule)."""
    return [topic for topic, _ in _citations().get(rule, Counter()).most_common()]


def main_topic(rule: str) -> str | None:
    """The topic a rule's facts cite most: its general answer."""
    topics = rule_topics(rule)
    return topics[0] if topics else None


def rules_for_topic(topic: str) -> list[str]:
    """Rules with inputs that can check a teacher's own case on ``topic``, most relevant first."""
    book = load_rulebook()
    scored = []
    for name, counts in _citations().items():
        if not book.rules[name].inputs or topic not in counts:
            continue
        top = counts.most_common(1)[0][1]
        if counts[topic] >= MIN_CITATIONS or counts[topic] == top:
            scored.append((-counts[topic], name))
    return [name for _, name in sorted(scored)]
