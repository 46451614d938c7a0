"""Language detection restricted to the supported languages (lingua)."""

from __future__ import annotations

from functools import lru_cache
from typing import TYPE_CHECKING

from knowledge.schema import Lang
from knowledge.text import fold

if TYPE_CHECKING:
    from lingua import LanguageDetector

MIN_CONFIDENCE = 0.6
# Word stems of each language's name in English, Dutch and Slovenian (folded, no accents).
_NAME_STEMS: dict[Lang, tuple[str, ...]] = {
    "en": ("english", "engels", "anglesk", "anglescin"),
    "nl": ("dutch", "nederland", "vlaams", "flemish", "nizozemsk", "nizozemscin"),
    "sl": ("sloven", "slowen"),
}
_CODES: dict[str, Lang] = {"ENGLISH": "en", "DUTCH": "nl", "SLOVENE": "sl"}


@lru_cache(maxsize=1)
def _detector() -> LanguageDetector:
    from lingua import Language, LanguageDetectorBuilder

    languages = [getattr(Language, name) for name in _CODES]
    return LanguageDetectorBuilder.from_languages(*languages).with_preloaded_language_models().build()


def detect(text: str, default: Lang = "en", min_confidence: float = MIN_CONFIDENCE) -> Lang:
    """The most likely of en/nl/sl for ``text``.

    Short texts ("EU login", "ok") are ambiguous; below ``min_confidence`` the caller's
    ``default`` (usually the conversation's language) is kept instead of guessing.
    """
    values = _detector().compute_language_confidence_values(text)
    if not values or values[0].value < min_confidence:
        return default
    return _CODES[values[0].language.name]


def requested_language(text: str) -> Lang | None:
    """The language a user asks to switch to ("in English please", "v slovenščini", "in het
    Nederlands"), by its name in any supported language; None if no name is found."""
    words = fold(text).split()
    for lang, stems in _NAME_STEMS.items():
        if any(word.startswith(stem) for word in words for stem in stems):
            return lang
    return None


def warm_up() -> None:
    """Load lingua's models now rather than on the first user message."""
    _detector()
