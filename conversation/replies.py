"""Recognise which domain response a stored bot message is (answer, clarify, rephrase, handoff).

The gateway stores what Rasa said, not which response it chose. The texts live in domain/*.yml
only, so they are read from there (never copied into Python): a message is the response whose
template, with its ``{variables}`` as wildcards, matches it.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import lru_cache
from typing import Any, Literal

import yaml

from settings import ROOT

DOMAIN_DIR = ROOT / "domain"
ReplyKind = Literal["answer", "clarify", "rephrase", "handoff", "other"]
# Responses that mean "no answer": the question is a gap in the knowledge base.
MISSED = ("utter_faq_rephrase", "utter_out_of_scope")
CLARIFY = ("utter_faq_clarify",)
HANDOFF = ("utter_handoff", "utter_handoff_unavailable")
CLARIFY_PAYLOAD = "/ask_faq"
# The label before an answer's sources, in the three languages (utter_faq_answer, rule verdicts).
SOURCE_LINE = re.compile(r"^(?:Sources?|Bron(?:nen)?|Viri?): .*$", re.MULTILINE)
_VARIABLE = re.compile(r"\{(\w+)\}")


@lru_cache(maxsize=1)
def _variants() -> dict[str, tuple[str, ...]]:
    merged: dict[str, tuple[str, ...]] = {}
    for path in sorted(DOMAIN_DIR.glob("*.yml")):
        part = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        for name, variants in (part.get("responses") or {}).items():
            merged[name] = tuple(str(v.get("text", "")) for v in variants if v.get("text"))
    return merged


def texts(names: Iterable[str]) -> list[str]:
    """Every language variant of the responses ``names`` (for exact matches in SQL)."""
    return [text for name in names for text in _variants().get(name, ())]


@lru_cache(maxsize=16)
def _pattern(names: tuple[str, ...]) -> re.Pattern[str]:
    alternatives = []
    for text in texts(names):
        pieces = _VARIABLE.split(text)  # literal, variable, literal, ...
        alternatives.append(
            "".join(re.escape(piece) if i % 2 == 0 else ".+?" for i, piece in enumerate(pieces))
        )
    return re.compile("|".join(f"(?:{a})" for a in alternatives) or "(?!)", re.DOTALL)


def reply_kind(text: str, buttons: list[dict[str, Any]] | None = None) -> ReplyKind:
    """What a stored bot message was: an answer with sources, a clarifying question, and so on."""
    if _pattern(CLARIFY).fullmatch(text) or any(
        str(b.get("payload", "")).startswith(CLARIFY_PAYLOAD) for b in buttons or []
    ):
        return "clarify"
    if _pattern(MISSED).fullmatch(text):
        return "rephrase"
    if _pattern(HANDOFF).fullmatch(text):
        return "handoff"
    if SOURCE_LINE.search(text):
        return "answer"
    return "other"


def split_sources(text: str) -> tuple[str, list[str]]:
    """The answer text and its source lines, so the console can show sources apart."""
    sources = [m.group(0) for m in SOURCE_LINE.finditer(text)]
    body = SOURCE_LINE.sub("", text).rstrip()
    return body, sources
