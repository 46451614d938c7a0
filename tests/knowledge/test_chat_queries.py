"""Short chat questions: shorthand and vague questions asked back (knowledge/chat_queries.py)."""

from __future__ import annotations

from dataclasses import replace

import pytest

from knowledge.chat_queries import expand_shorthand, settle
from knowledge.retrieve import Alternative, Answer


def answer(confidence: float, runner_up: float) -> Answer:
    return Answer(
        faq_id="profile-events",
        lang="en",
        question="q",
        answer="a",
        confidence=confidence,
        status="answered",
        sources=[],
        alternatives=[Alternative("profile-pictures", "q2", runner_up)],
    )


@pytest.mark.unit
@pytest.mark.parametrize(
    ("text", "expanded"),
    [("what happens to my profile pic?", "what happens to my profile picture?"), ("pw", "password"), ("mijn ww", "mijn wachtwoord"), ("my TwinSpace", "my TwinSpace"), ("my grp profpic", "my group profile picture")],
)  # fmt: skip
def test_expand_shorthand_writes_out_chat_words(text: str, expanded: str) -> None:
    assert expand_shorthand(text) == expanded


@pytest.mark.unit
@pytest.mark.parametrize(
    ("text", "confidence", "runner_up", "status"),
    [
        ("my stuff", 0.61, 0.02, "clarify"),  # short and not sure
        ("profile picture", 0.99, 0.0, "answered"),  # short and sure
        ("what happens to my profile picture?", 0.62, 0.45, "clarify"),  # a close second
        ("which groups active in 2021 were migrated?", 0.58, 0.33, "answered"),  # not so close
        ("i have both a SEG and an etwinning account, whose profile data ends up on the new platform?", 0.62, 0.38, "answered"),
    ],
)  # fmt: skip
def test_settle_asks_back_on_vague_questions_only(
    text: str, confidence: float, runner_up: float, status: str
) -> None:
    assert settle(answer(confidence, runner_up), text).status == status


@pytest.mark.unit
def test_settle_leaves_other_statuses_alone() -> None:
    missed = replace(answer(0.1, 0.05), status="fallback")
    assert settle(missed, "pw") is missed


@pytest.mark.integration
@pytest.mark.parametrize(
    ("text", "lang", "topics"),
    [
        ("what happens to my profile pic?", "en", {"profile-pictures"}),
        ("my stuff", "en", {"content-migrated"}),
        ("pw", "en", {"old-account-login", "forgot-email"}),
    ],
)
def test_short_colloquial_question_finds_its_topic_or_asks_back(
    retriever, text: str, lang: str, topics: set[str]
) -> None:  # type: ignore[no-untyped-def]
    question = expand_shorthand(text)
    result = settle(retriever.ask(question, lang), question)
    offered = {result.faq_id, *(a.faq_id for a in result.alternatives[:2])}
    assert (result.status == "answered" and result.faq_id in topics) or (
        result.status == "clarify" and offered & topics
    )
