"""Lexical normalisation for BM25: spaCy tokenisation, simplemma lemmas, no stop words.

``spacy.blank(lang)`` is used because no pretrained nl/sl pipelines exist on the package
registries; simplemma supplies lemmas for all three languages (Slovenian has no spaCy
lookup tables). Diacritics are folded so "skupine"/"skupíne" and typed-without-č forms match.
"""

from __future__ import annotations

import sys
import unicodedata
from functools import lru_cache
from types import ModuleType
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from spacy.language import Language


def _spacy() -> ModuleType:
    """spaCy, imported without letting thinc load torch.

    thinc's compat module imports torch whenever it is installed (~170 MB resident in the API),
    although a blank tokeniser never uses it and the default encoder engine is ONNX. While
    spaCy is imported, a ``None`` entry for torch makes that ``import torch`` fail the way an
    uninstalled torch would; the entry is removed again, so the torch encoder engine (or
    anything else) can still import torch afterwards. When torch is already loaded, nothing is
    saved and spaCy is imported as usual.
    """
    if "torch" in sys.modules or "spacy" in sys.modules:
        import spacy

        return spacy
    sys.modules["torch"] = None  # type: ignore[assignment]
    try:
        import spacy
    finally:
        del sys.modules["torch"]
    return spacy


@lru_cache(maxsize=8)
def _pipeline(lang: str) -> Language:
    blank: Language = _spacy().blank(lang)
    return blank


def fold(text: str) -> str:
    """Lower-case and strip combining marks (č→c, é→e)."""
    decomposed = unicodedata.normalize("NFKD", text.lower())
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


@lru_cache(maxsize=65536)
def _lemma(token: str, lang: str) -> str:
    import simplemma

    return fold(simplemma.lemmatize(token, lang=lang))


PREFIX = 6


def tokens(text: str, lang: str) -> list[str]:
    """Content tokens of ``text``: lemmatised, folded, without stop words and punctuation.

    Long lemmas also yield their first ``PREFIX`` characters as an extra token: a cheap stem
    that lets Dutch compounds (contactpersonen / contacten) and Slovenian forms the
    lemmatiser misses (prenesena / prenos) still meet.
    """
    nlp = _pipeline(lang)
    stop = nlp.Defaults.stop_words
    out: list[str] = []
    for tok in nlp.make_doc(text):
        lower = tok.lower_
        if tok.is_punct or tok.is_space or lower in stop or not any(c.isalnum() for c in lower):
            continue
        lemma = _lemma(lower, lang)
        out.append(lemma)
        if len(lemma) > PREFIX + 1:
            out.append(lemma[:PREFIX] + "~")
    return out


def clean(text: str) -> str:
    """Collapse whitespace; the encoder gives a slightly different vector for trailing spaces."""
    return " ".join(text.split())
