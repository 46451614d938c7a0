"""Language of the Dutch and Slovenian texts (knowledge/kb/LANGUAGE_REVIEW.md): labels a source
shows, Slovenian dates in the case their preposition asks, one name for one thing."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml

from knowledge.loader import KnowledgeBase, load_kb
from knowledge.validate import SEEDS_DIR

ROOT = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.unit

QUOTED = re.compile(r"[‘“»]([^‘’“”»«]{2,60})[’”«]")
# Quoted words that are no label: the translation's own scare quotes, as the source has them
# ("packaging", "inactive", "leave", "posting"), and a cross-reference to another question.
NOT_LABELS = {
    "verpakking", "embalaža", "inactief", "alleen-lezen", "verlaten", "zapustite", "objavljate",
    "Hoe kan ik me registreren op het nieuwe platform",
    # Issue 15 names 'Edit my account' as the platform's label; the Slovenian FAQ, the one source of
    # this answer, writes »Uredi moj račun« and »Moj račun« > »Konfiguracija mojega računa«.
    "Edit my account", "My Account", "Configure my account",
}  # fmt: skip
SL_MONTHS = "januar|februar|marec|april|maj|junij|julij|avgust|september|oktober|november|december"
NOMINATIVE_AFTER_DAY = re.compile(rf"\b\d{{1,2}}\.\s+({SL_MONTHS})\b")


@pytest.fixture(scope="module")
def kb() -> KnowledgeBase:
    return load_kb(ROOT / "knowledge" / "kb")


def _translations(kb: KnowledgeBase, lang: str) -> list[tuple[str, str]]:
    return [
        (entry.id, entry.answer[lang].text)  # type: ignore[index]
        for entry in kb.entries.values()
        if entry.answer[lang].translated_from is not None  # type: ignore[index]
    ]


@pytest.mark.skipif(not SEEDS_DIR.is_dir(), reason="needs the source texts")
@pytest.mark.parametrize("lang", ["nl", "sl"])
def test_translation_quoted_labels_are_labels_a_source_shows(kb: KnowledgeBase, lang: str) -> None:
    sources = " ".join(" ".join(p.read_text(encoding="utf-8").split()) for p in SEEDS_DIR.glob("*.txt"))
    invented = [
        (entry, label)
        for entry, text in _translations(kb, lang)
        for label in (m.group(1).rstrip("?") for m in QUOTED.finditer(text))
        if label not in NOT_LABELS and label.lower() not in sources.lower()
    ]
    assert not invented


def _slovenian_texts(kb: KnowledgeBase) -> list[str]:
    texts = [e.answer["sl"].text for e in kb.entries.values()]
    texts += [e.question["sl"] for e in kb.entries.values()]
    texts += [d.label.sl for e in kb.entries.values() for d in e.dates]
    texts += [c.differs.sl for e in kb.entries.values() for c in e.conflicts_with]
    files = [ROOT / "conversation/texts.yml", ROOT / "knowledge/messages.yml"]
    files += sorted((ROOT / "knowledge" / "rules" / "data").glob("*.yml"))  # verdicts and reasons
    for path in files:
        texts += re.findall(r"\bsl: \"(.*)\"", path.read_text(encoding="utf-8"))
    return texts


def test_slovenian_texts_no_month_in_the_nominative_after_a_day(kb: KnowledgeBase) -> None:
    # "30. septembra 2022", never "30. september 2022"; days are mostly numeric ("30. 9. 2022")
    assert not [t for t in _slovenian_texts(kb) if NOMINATIVE_AFTER_DAY.search(t)]


def test_slovenian_translations_one_name_for_the_nso_and_the_platform(kb: KnowledgeBase) -> None:
    texts = " ".join(" ".join(text.split()) for _, text in _translations(kb, "sl"))
    assert not re.search(r"nacionaln\w+ podporn\w+ služb", texts)  # an NSO is an organisation
    assert not re.search(r"Evropsk\w platform\w+ za šolsko", texts)  # the Slovenian FAQ's name


def test_slovenian_dates_file_gives_every_month_in_three_cases() -> None:
    months = yaml.safe_load((ROOT / "knowledge" / "dates.yml").read_text(encoding="utf-8"))["sl_months"]
    assert sorted(months) == list(range(1, 13))
    assert all(set(cases) == {"gen", "ins", "loc"} for cases in months.values())
