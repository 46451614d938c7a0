"""Language detection restricted to the supported languages (lingua), cautious on short texts.

A conversation's language changes only on a clear message in another language. "ok", "Slovenia",
"eTwinning", "15 juni 2021" or keyboard mashing say nothing about the language, so a message is
judged only on its words once names (countries, the platforms) and numbers are set aside, and
only when enough of them are left. Greetings and thanks are the exception: "hoi", "dober dan",
"thanks" are short but unmistakable, so they decide on their own.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import TYPE_CHECKING

from knowledge.schema import Lang
from knowledge.text import fold

if TYPE_CHECKING:
    from lingua import LanguageDetector

MIN_CONFIDENCE = 0.6
MIN_WORDS = 2
"""Fewest words (names and numbers set aside) a message needs to change the language."""
MIN_LETTERS = 10
"""Fewest letters in those words."""
MIN_KNOWN = 0.5
"""Least share of those words that must be words of the detected language."""
# Word stems of each language's name in English, Dutch and Slovenian (folded, no accents).
_NAME_STEMS: dict[Lang, tuple[str, ...]] = {
    "en": ("english", "engels", "anglesk", "anglescin"),
    "nl": ("dutch", "nederland", "vlaams", "flemish", "nizozemsk", "nizozemscin"),
    "sl": ("sloven", "slowen"),
}
# Greetings, thanks and goodbyes that belong to one language only (folded).
_SMALL_TALK: dict[Lang, tuple[str, ...]] = {
    "en": ("hi", "hello", "hey", "hiya", "good morning", "good afternoon", "good evening", "thanks",
           "thank you", "thx", "cheers", "bye", "goodbye", "see you"),
    "nl": ("hoi", "hallo", "hallo daar", "dag", "goeiedag", "goedendag", "goedemorgen", "goeiemorgen",
           "goedemiddag", "goedenavond", "dank je", "dank u", "dankjewel", "dankuwel", "bedankt",
           "merci", "tot ziens", "doei", "dag hoor", "groetjes"),
    "sl": ("zivjo", "zdravo", "dober dan", "dobro jutro", "dober vecer", "pozdravljeni",
           "pozdravljen", "pozdravljena", "lep pozdrav", "hvala", "najlepsa hvala", "hvala lepa",
           "nasvidenje", "na svidenje", "adijo", "lep dan"),
}  # fmt: skip
# Words that are the same in every supported language: platform names and abbreviations.
_NEUTRAL = frozenset(
    {"etwinning", "esep", "eu", "login", "twinspace", "seg", "nso", "eql", "nql", "erasmus", "ok",
     "okay", "oke", "oké", "okej", "test", "sorry", "please", "pls", "live", "school", "education",
     "gateway", "platform", "european", "label", "labels"}
)  # fmt: skip
_CODES: dict[str, Lang] = {"ENGLISH": "en", "DUTCH": "nl", "SLOVENE": "sl"}
_WORD = re.compile(r"[^\W\d_]+")


@lru_cache(maxsize=1)
def _detector() -> LanguageDetector:
    from lingua import Language, LanguageDetectorBuilder

    languages = [getattr(Language, name) for name in _CODES]
    return LanguageDetectorBuilder.from_languages(*languages).with_preloaded_language_models().build()


@lru_cache(maxsize=1)
def _country_words() -> frozenset[str]:
    """Every word of every country's name in English, Dutch and Slovenian (CLDR)."""
    from babel import Locale

    words: set[str] = set()
    for lang in ("en", "nl", "sl"):
        for name in Locale.parse(lang).territories.values():
            words.update(_WORD.findall(fold(name)))
    return frozenset(words)


def small_talk_language(text: str) -> Lang | None:
    """The language of a greeting, thanks or goodbye that is the whole message (or starts it
    and is most of it): "hoi", "dober dan!", "thanks a lot"; None otherwise."""
    words = " ".join(_WORD.findall(fold(text)))
    for lang, phrases in _SMALL_TALK.items():
        for phrase in phrases:
            if words == phrase or (
                words.startswith(phrase + " ") and len(words.split()) <= len(phrase.split()) + 2
            ):
                return lang
    return None


def telling_words(text: str) -> list[str]:
    """The words of ``text`` that can tell its language: not names of countries or platforms,
    not numbers."""
    countries = _country_words()
    return [w for w in _WORD.findall(fold(text)) if w not in _NEUTRAL and w not in countries]


def detect(text: str, default: Lang = "en", min_confidence: float = MIN_CONFIDENCE) -> Lang:
    """The most likely of en/nl/sl for ``text``; ``default`` when the text cannot tell.

    Short or ambiguous texts ("EU login", "ok", "Slovenia", "asdf") keep ``default`` (usually
    the conversation's language); so does anything below ``min_confidence``.
    """
    greeting = small_talk_language(text)
    if greeting is not None:
        return greeting
    words = telling_words(text)
    if len(words) < MIN_WORDS or sum(map(len, words)) < MIN_LETTERS:
        return default
    values = _detector().compute_language_confidence_values(" ".join(words))
    if not values or values[0].value < min_confidence:
        return default
    lang = _CODES[values[0].language.name]
    return lang if known_share(words, lang) >= MIN_KNOWN else default


def known_share(words: list[str], lang: Lang) -> float:
    """The share of ``words`` that are words of ``lang`` (simplemma's dictionaries): keyboard
    mashing ("qwerty uiop") looks like some language to lingua, but its words are in none."""
    import simplemma

    return sum(simplemma.is_known(w, lang=lang) for w in words) / len(words) if words else 0.0


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
    _country_words()
