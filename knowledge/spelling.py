"""Typing slips in a question mended against the words of the knowledge base.

Teachers type "mesages", "migrtaed" or "profiel foto". BM25 never matches a misspelt word and the
encoder only sometimes forgives it, so a question with one slip in its key word can land on a
neighbouring topic with a confident score. A word that no indexed text of any language contains
is replaced by the most frequent word of the question's language that is one edit away (a letter
missing, extra, wrong or two letters swapped). Words shorter than ``MIN_LENGTH`` are left alone:
at three or four letters one edit reaches too many real words.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable

from knowledge.text import fold

MIN_LENGTH = 5
"""Shortest word that is mended."""
_WORD = re.compile(r"[^\W\d_]+")


def _deletes(word: str) -> set[str]:
    """``word`` with one letter left out, each way."""
    return {word[:i] + word[i + 1 :] for i in range(len(word))}


class Speller:
    """Mends misspelt words of a question; built from the indexed texts (text, language) pairs."""

    def __init__(self, texts: Iterable[tuple[str, str]]) -> None:
        self._known: set[str] = set()
        self._counts: dict[str, Counter[str]] = {}
        for text, lang in texts:
            words = [fold(w) for w in _WORD.findall(text)]
            self._known.update(words)
            self._counts.setdefault(lang, Counter()).update(w for w in words if len(w) >= MIN_LENGTH - 1)
        # one-letter-deleted form -> words of that language it comes from
        self._by_delete: dict[str, dict[str, set[str]]] = {}
        for lang, counts in self._counts.items():
            table: dict[str, set[str]] = {}
            for word in counts:
                for short in _deletes(word):
                    table.setdefault(short, set()).add(word)
            self._by_delete[lang] = table

    def suggest(self, word: str, lang: str) -> str | None:
        """The known word of ``lang`` one edit away from an unknown ``word``, or None."""
        folded = fold(word)
        if len(folded) < MIN_LENGTH or folded in self._known or lang not in self._counts:
            return None
        counts, table = self._counts[lang], self._by_delete[lang]
        candidates = set(table.get(folded, ()))  # a letter missing: "mesages"
        candidates |= {w for w in _deletes(folded) if w in counts}  # a letter too many
        for short in _deletes(folded):  # a wrong letter, or two swapped
            candidates |= {w for w in table.get(short, ()) if len(w) == len(folded)}
        if not candidates:
            return None
        return max(sorted(candidates), key=lambda w: counts[w])

    def correct(self, text: str, lang: str) -> str:
        """``text`` with each unknown word replaced by its suggestion, if it has one."""
        return _WORD.sub(lambda m: self.suggest(m.group(), lang) or m.group(), text)
