"""The held-out conversation set validates, is big enough, and its turn checks mean what they say."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest

from tests.conversations.conversation_set import (
    CATEGORIES,
    LANGS,
    MIN_PER_LANGUAGE,
    Expect,
    Lang,
    Reply,
    SetError,
    TurnOutcome,
    check_turn,
    load_file,
    load_set,
    load_thresholds,
)

pytestmark = pytest.mark.unit

FAQ = Reply(
    kind="faq",
    text="Answer.\n\nSource: EC FAQ",
    language="en",
    faq_id="profile-pictures",
    notes=("EC FAQ (2022) and Flemish NSO FAQ disagree",),
    sources=("EC FAQ",),
)
VERDICT = Reply(kind="rule_verdict", text="No.", language="en", rule="group_migration", result="no")
ASK = Reply(
    kind="form_question", text="When?", language="en", rule="group_migration", result="ask:last_activity"
)
REPHRASE = Reply(
    kind="fallback", text="Sorry.", language="nl", buttons=({"title": "Person", "payload": "/ask_human"},)
)


def test_conversation_set_files_validate() -> None:
    files = load_set()
    assert set(files) == set(LANGS)


def test_conversation_set_has_enough_conversations_per_language() -> None:
    per_lang = {lang: len(f.conversations) for lang, f in load_set().items()}
    assert all(n >= MIN_PER_LANGUAGE for n in per_lang.values()), per_lang


@pytest.mark.parametrize("lang", LANGS)
def test_conversation_set_covers_every_category_in_each_language(lang: Lang) -> None:
    counts: Counter[str] = Counter(c.category for c in load_set()[lang].conversations)
    assert {c: counts[c] for c in CATEGORIES if counts[c] < 2} == {}, counts


def test_conversation_set_thresholds_name_every_category() -> None:
    thresholds = load_thresholds()
    assert set(type(thresholds).model_fields) == set(CATEGORIES)


def test_conversation_set_invalid_file_names_file_and_line(tmp_path: Path) -> None:
    bad = tmp_path / "en.yml"
    bad.write_text(
        "language: en\nconversations:\n  - id: en-x\n    category: greeting\n    turns:\n"
        "      - user: hi\n        expect: {kind: small_talk, verdict: yes}\n",
        encoding="utf-8",
    )
    with pytest.raises(SetError, match=r"en\.yml:7: conversations\.0\.turns\.0\.expect\.verdict"):
        load_file(bad)


@pytest.mark.parametrize(
    ("expect", "message"),
    [
        pytest.param({"faq_id": "no-such-topic"}, "not in knowledge/topics.yml", id="unknown-topic"),
        pytest.param({"rule": "no_such_rule"}, "not in knowledge/rules/data", id="unknown-rule"),
        pytest.param(
            {"rule": "group_migration", "verdict": "ask:founder_country"}, "not an input", id="bad-slot"
        ),
        pytest.param({"verdict": "maybe"}, "use yes, no, uncertain", id="bad-status"),
        pytest.param({}, "give at least one expectation", id="empty"),
        pytest.param({"kind": "faq", "not_kind": ["faq"]}, "overlap", id="overlap"),
    ],
)
def test_expect_invalid_is_refused(expect: dict[str, object], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        Expect.model_validate(expect)


@pytest.mark.parametrize(
    ("expect", "replies", "queued", "failed"),
    [
        pytest.param(
            {"kind": "faq", "faq_id": "profile-pictures", "has_note": True}, [FAQ], False, [], id="faq-ok"
        ),
        pytest.param({"faq_id": "contacts-followers"}, [FAQ], False, ["faq_id"], id="faq-wrong-topic"),
        pytest.param({"rule": "group_migration", "verdict": "no"}, [VERDICT], False, [], id="verdict-ok"),
        pytest.param({"verdict": "yes"}, [VERDICT], False, ["rule/verdict"], id="verdict-wrong"),
        pytest.param({"not_kind": "form_question"}, [ASK], False, ["not_kind"], id="asked-again"),
        pytest.param({"not_verdict": "ask:last_activity"}, [ASK], False, ["not_verdict"], id="not-verdict"),
        pytest.param({"language": "en"}, [REPHRASE], False, ["language"], id="stored-language"),
        pytest.param({"offers_person": True, "handoff_queued": False}, [REPHRASE], False, [], id="offer-ok"),
        pytest.param({"handoff_queued": False}, [REPHRASE], True, ["handoff_queued"], id="queued-unasked"),
        pytest.param(
            {"not_contains": "SOURCE: ec"}, [FAQ], False, ["not_contains"], id="not-contains-folded"
        ),
        pytest.param({"kind": "faq"}, [], False, ["no reply"], id="no-reply"),
        pytest.param(
            {"any_of": [{"kind": "faq"}, {"rule": "group_migration", "verdict": "no"}]},
            [VERDICT],
            False,
            [],
            id="any-of-second",
        ),
        pytest.param(
            {"any_of": [{"kind": "faq"}, {"kind": "handoff"}]}, [VERDICT], False, ["any_of"], id="any-of-none"
        ),
    ],
)
def test_check_turn_reports_each_failed_expectation(
    expect: dict[str, object], replies: list[Reply], queued: bool, failed: list[str]
) -> None:
    failures = check_turn(Expect.model_validate(expect), TurnOutcome(tuple(replies), queued))
    assert len(failures) == len(failed), failures
    assert all(f.startswith(prefix) for f, prefix in zip(failures, failed, strict=True)), failures


def test_check_turn_text_reading_as_another_language_fails() -> None:
    dutch = Reply(
        kind="faq",
        text="Je profielfoto wordt naar het nieuwe platform overgezet, andere foto's niet.",
        language="en",
        faq_id="profile-pictures",
    )
    failures = check_turn(Expect(language="en"), TurnOutcome((dutch,), False), detect=lambda _: ("nl", 0.99))
    assert [f for f in failures if "reads as nl" in f], failures
    assert check_turn(Expect(language="en"), TurnOutcome((dutch,), False), detect=lambda _: ("nl", 0.5)) == []
